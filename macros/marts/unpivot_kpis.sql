{#- The long form of kpi_daily for one dataset: one SELECT per KPI of `kpis`, union all, from
    `relation` (the output of join_adjusted_reported_kpis). Columns: kpi_name, dataset,
    dimension_name, dimension_value, value, value_reported, numerator, denominator,
    numerator_reported, denominator_reported (doubles), kpi_date. -#}
{% macro unpivot_kpis(relation, dataset, kpis) -%}
    {%- for kpi_name, value_column, numerator, denominator in kpis %}

        select
            '{{ kpi_name }}' as kpi_name,
            '{{ dataset }}' as dataset,
            dimension_name,
            dimension_value,
            -- `value` is a column of kpi_daily's enforced contract, so RF04 is waived
            cast({{ kpi_name }}__value as {{ type_double() }}) as value, -- noqa: RF04
            cast({{ kpi_name }}__value_reported as {{ type_double() }}) as value_reported,
            cast({{ kpi_name }}__numerator as {{ type_double() }}) as numerator,
            cast({{ kpi_name }}__denominator as {{ type_double() }}) as denominator,
            cast(
                {{ kpi_name }}__numerator_reported as {{ type_double() }}
            ) as numerator_reported,
            cast(
                {{ kpi_name }}__denominator_reported as {{ type_double() }}
            ) as denominator_reported,
            kpi_date
        from {{ relation }}
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
