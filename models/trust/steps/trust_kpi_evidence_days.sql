{#- The KPI x evidence-day grid: one row per kpi_daily row x day whose evidence it depends on:
    its own day, plus the next day for the KPIs of var('trust_next_day_kpis'), computed from the
    next day's activity too (d1_retention of d uses activity on d and d + 1). -#}
{%- set next_day_kpis = var('trust_next_day_kpis') -%}

with kpi_rows as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        kpi_date
    from {{ ref('kpi_daily') }}

),

final as (

    select
        kpi_rows.kpi_name,
        kpi_rows.dataset,
        kpi_rows.dimension_name,
        kpi_rows.dimension_value,
        kpi_rows.kpi_date,
        kpi_rows.kpi_date as evidence_date
    from kpi_rows
    {%- if next_day_kpis | length > 0 %}

        union all

        select
            kpi_rows.kpi_name,
            kpi_rows.dataset,
            kpi_rows.dimension_name,
            kpi_rows.dimension_value,
            kpi_rows.kpi_date,
            cast({{ dbt.dateadd('day', 1, 'kpi_rows.kpi_date') }} as date) as evidence_date
        from kpi_rows
        where kpi_rows.kpi_name in (
                {%- for kpi_name in next_day_kpis -%}
                    '{{ kpi_name }}'{%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
            )
    {%- endif %}

)

select * from final
