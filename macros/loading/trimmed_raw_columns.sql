{#- Every raw column of `name` trimmed, with '' turned into null, as `<column>_text`; staging
    types from these and quarantined_rows shows the offending one as it arrived. Then the
    `<column>__native` of each of `natives` (native_raw_columns), as read. -#}
{% macro trimmed_raw_columns(name, natives = {}) -%}
    {%- set columns = raw_columns(name) -%}
    {%- for column in columns %}
    {{ trimmed_raw_value(column) }} as {{ column }}_text{% if not loop.last or natives %},{% endif %}
    {%- endfor %}
    {%- for column in natives %}
    {{ column }}__native{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- One raw text value trimmed, with '' turned into null. -#}
{% macro trimmed_raw_value(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- The two times of every row of a raw log (`relation`), typed as staging types them (the
    file's own value for the columns in `natives`, native_raw_columns): what log_period_start
    needs, without typing the rest of each row. -#}
{% macro raw_log_times(relation, event_column, natives = {}) -%}
    select
        {%- for column in [event_column, 'ingested_at'] %}
        {%- if column in natives %}
        {{ native_raw_value(column ~ '__native', 'timestamp') }} as {{ column }}
        {%- else %}
        {{ parse_utc_timestamp(trimmed_raw_value(column)) }} as {{ column }}
        {%- endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}
