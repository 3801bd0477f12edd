{#- The seasonal baseline's statistics, one row per KPI series x `day_column` of `history` (a
    CTE with kpi_name, dimension_name, dimension_value, `day_column` and past_value: the same
    weekday's earlier values): n_periods (how many), expected (their median) and scale (1.4826 x
    their median absolute deviation from it, the MAD scaled to a normal standard deviation).
    Shared by kpi_seasonal_baselines_daily and kpi_forecasts_daily, so the expectation and the
    forecast are one formula. A MAD within 1e-9 of the median's magnitude is 0: values equal but
    for floating-point noise (the same sums added in another order by a parallel engine, e.g.
    8.95 and 8.950000000000001) have no spread, or z would be ~1e15 on one build and null on
    another. -#}
{% macro series_median_mad(history, day_column) -%}
    {%- set keys = ['kpi_name', 'dimension_name', 'dimension_value', day_column] -%}
    select
        {{ keys | join(', ') }},
        n_periods,
        expected,
        case when mad > 1e-9 * abs(expected) then 1.4826 * mad else 0 end as scale
    from (
        select
            {%- for key in keys %}
            medians.{{ key }},
            {%- endfor %}
            medians.n_periods,
            medians.expected,
            {{ percentile_cont('abs(' ~ history ~ '.past_value - medians.expected)', 0.5) }} as mad
        from (
            select
                {{ keys | join(', ') }},
                count(*) as n_periods,
                {{ percentile_cont('past_value', 0.5) }} as expected
            from {{ history }}
            group by {{ keys | join(', ') }}
        ) as medians
        inner join {{ history }}
            on
            {%- for key in keys %}
                {% if not loop.first %}and {% endif %}medians.{{ key }} = {{ history }}.{{ key }}
            {%- endfor %}
        group by
            {%- for key in keys %}
            medians.{{ key }},
            {%- endfor %}
            medians.n_periods,
            medians.expected
    ) as deviations
{%- endmacro %}
