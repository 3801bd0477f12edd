{#- Every raw column of `name` trimmed, with '' turned into null, as `<column>_text`; staging
    types from these and quarantined_rows shows the offending one as it arrived. -#}
{% macro trimmed_raw_columns(name) -%}
    {%- for column in raw_columns(name) %}
    nullif(trim({{ column }}), '') as {{ column }}_text{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
