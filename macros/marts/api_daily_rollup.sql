{#- Daily API metrics of `relation` (columns call_date, status, latency_ms and each dimension)
    at day x dimension for every name in `dimensions`, plus the whole day as
    dimension_name = dimension_value = 'all'. Percentiles are computed from the rows of each
    group, never combined from finer groups. Rows with a null dimension value count in 'all'
    only. `start_date` (SQL expression) limits the days computed. -#}
{% macro api_daily_rollup(relation, dimensions, start_date=none) -%}
    {%- set groups = [('all', "'all'")] -%}
    {%- for dimension in dimensions -%}
        {%- do groups.append((dimension, dimension)) -%}
    {%- endfor -%}
    {%- for dimension_name, dimension_expression in groups %}
    select
        call_date,
        '{{ dimension_name }}' as dimension_name,
        {{ dimension_expression }} as dimension_value,
        {{ api_call_metrics() }}
    from {{ relation }}
    where
        call_date is not null
        {%- if dimension_name != 'all' %}
        and {{ dimension_expression }} is not null
        {%- endif %}
        {%- if start_date is not none %}
        and call_date >= {{ start_date }}
        {%- endif %}
    group by call_date, {{ dimension_expression }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
