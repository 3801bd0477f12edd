{#- Daily API metrics of `relation` (columns call_date, status, latency_ms and each dimension)
    at day x dimension for every name in `dimensions`, plus the whole day as
    dimension_name = dimension_value = 'all'. Percentiles are computed from the rows of each
    group, never combined from finer groups. Rows with a null dimension value count in 'all'
    only. `start_date` (SQL expression) limits the days computed. One scan and one aggregation
    (GROUPING SETS, macros/marts/dimension_grouping_sets.sql), not one per dimension. -#}
{% macro api_daily_rollup(relation, dimensions, start_date=none) -%}
    select
        call_date,
        {{ grouping_dimension_name(dimensions) }} as dimension_name,
        {{ grouping_dimension_value(dimensions) }} as dimension_value,
        {{ api_call_metrics() }}
    from {{ relation }}
    where
        call_date is not null
        {%- if start_date is not none %}
        and call_date >= {{ start_date }}
        {%- endif %}
    group by {{ dimension_grouping_sets('call_date', dimensions) }}
    having {{ grouping_dimension_not_null(dimensions) }}
{%- endmacro %}
