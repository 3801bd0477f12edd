{#- Every raw column of `name` trimmed, with '' turned into null, as `<column>_text`; staging
    types from these and quarantined_rows shows the offending one as it arrived. -#}
{% macro trimmed_raw_columns(name) -%}
    {%- for column in raw_columns(name) %}
    {{ trimmed_raw_value(column) }} as {{ column }}_text{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- One raw text value trimmed, with '' turned into null. -#}
{% macro trimmed_raw_value(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- The two times of every row of a raw log (`relation`), typed as staging types them: what
    log_period_start needs, without typing the rest of each row. -#}
{% macro raw_log_times(relation, event_column) -%}
    select
        {{ parse_utc_timestamp(trimmed_raw_value(event_column)) }} as {{ event_column }},
        {{ parse_utc_timestamp(trimmed_raw_value('ingested_at')) }} as ingested_at
    from {{ relation }}
{%- endmacro %}
