{#- The offending raw text of the row's quarantine column (`<column>_text`), for quarantined_rows. -#}
{% macro quarantine_value(name) -%}
    case quarantine_column
        {%- for column in raw_columns(name) %}
        when '{{ column }}' then {{ column }}_text
        {%- endfor %}
    end
{%- endmacro %}
