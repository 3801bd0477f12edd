{#- The adjusted and reported figures of one dataset side by side: a full SELECT of `adjusted`
    full outer join `reported` on (kpi_date, dimension_name, dimension_value), both CTEs wide
    (one column per figure). For each `(kpi_name, value_column, numerator, denominator)` in
    `kpis` it returns <kpi_name>__value, __value_reported, __numerator, __numerator_reported,
    __denominator, __denominator_reported (numerator or denominator none = null). Read by
    unpivot_kpis in kpi_daily. -#}
{% macro join_adjusted_reported_kpis(adjusted, reported, kpis) -%}
    select
        coalesce(adjusted.kpi_date, reported.kpi_date) as kpi_date,
        coalesce(adjusted.dimension_name, reported.dimension_name) as dimension_name,
        coalesce(adjusted.dimension_value, reported.dimension_value) as dimension_value,
        {%- for kpi_name, value_column, numerator, denominator in kpis %}
            adjusted.{{ value_column }} as {{ kpi_name }}__value,
            reported.{{ value_column }} as {{ kpi_name }}__value_reported,
            {%- set adjusted_numerator = (
                'adjusted.' ~ numerator if numerator else 'null'
            ) %}
            {%- set reported_numerator = (
                'reported.' ~ numerator if numerator else 'null'
            ) %}
            {%- set adjusted_denominator = (
                'adjusted.' ~ denominator if denominator else 'null'
            ) %}
            {%- set reported_denominator = (
                'reported.' ~ denominator if denominator else 'null'
            ) %}
            {{ adjusted_numerator }} as {{ kpi_name }}__numerator,
            {{ reported_numerator }} as {{ kpi_name }}__numerator_reported,
            {{ adjusted_denominator }} as {{ kpi_name }}__denominator,
            {{ reported_denominator }} as {{ kpi_name }}__denominator_reported
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ adjusted }} as adjusted
    full outer join {{ reported }} as reported
        on
            adjusted.kpi_date = reported.kpi_date
            and adjusted.dimension_name = reported.dimension_name
            and adjusted.dimension_value = reported.dimension_value
{%- endmacro %}
