{#- One row per kpi_daily row: trust_score = max(0, 100 - sum of its evidence penalties),
    the level, and the three largest penalties in plain words. The penalties themselves, one
    row per evidence item, are in kpi_trust_evidence_daily. -#}
{%- set high_threshold = var('trust_high_threshold') -%}
{%- set low_threshold = var('trust_low_threshold') -%}

with kpi_rows as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        value,
        value_reported,
        kpi_date
    from {{ ref('kpi_daily') }}

),

penalties as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        evidence_source,
        evidence_name,
        detail,
        penalty,
        kpi_date
    from {{ ref('kpi_trust_evidence_daily') }}
    where is_counted

),

penalty_totals as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        count(*) as n_penalties,
        sum(penalty) as total_penalty
    from penalties
    group by 1, 2, 3, 4

),

ranked_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        penalty,
        {{ dbt.concat([
            'detail',
            "' (-'",
            dbt.cast('round(penalty, 1)', api.Column.translate_type('string')),
            "' pts)'"
        ]) }} as reason,
        row_number() over (
            partition by kpi_name, dimension_name, dimension_value, kpi_date
            order by penalty desc, evidence_source asc, evidence_name asc
        ) as reason_rank
    from penalties

),

top_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        {{ dbt.listagg('reason', "'; '", 'order by reason_rank') }} as top_reasons
    from ranked_reasons
    where reason_rank <= 3
    group by 1, 2, 3, 4

),

scored as (

    select
        kpi_rows.kpi_name,
        kpi_rows.dataset,
        kpi_rows.dimension_name,
        kpi_rows.dimension_value,
        kpi_rows.unit,
        top_reasons.top_reasons,
        kpi_rows.value,
        kpi_rows.value_reported,
        coalesce(penalty_totals.total_penalty, 0) as total_penalty,
        case
            when coalesce(penalty_totals.total_penalty, 0) >= 100 then 0
            else 100 - coalesce(penalty_totals.total_penalty, 0)
        end as trust_score,
        coalesce(penalty_totals.n_penalties, 0) as n_penalties,
        kpi_rows.kpi_date
    from kpi_rows
    left join penalty_totals
        on
            kpi_rows.kpi_name = penalty_totals.kpi_name
            and kpi_rows.dimension_name = penalty_totals.dimension_name
            and kpi_rows.dimension_value = penalty_totals.dimension_value
            and kpi_rows.kpi_date = penalty_totals.kpi_date
    left join top_reasons
        on
            kpi_rows.kpi_name = top_reasons.kpi_name
            and kpi_rows.dimension_name = top_reasons.dimension_name
            and kpi_rows.dimension_value = top_reasons.dimension_value
            and kpi_rows.kpi_date = top_reasons.kpi_date

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'kpi_name', "'|'", 'dimension_name', "'|'", 'dimension_value', "'|'",
            dbt.cast('kpi_date', api.Column.translate_type('string'))
        ])) }} as kpi_trust_id,
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        case
            when trust_score >= {{ high_threshold }} then 'high'
            when trust_score < {{ low_threshold }} then 'low'
            else 'medium'
        end as trust_level,
        top_reasons,
        cast(value as {{ type_double() }}) as value,  -- noqa: RF04
        cast(value_reported as {{ type_double() }}) as value_reported,
        cast(round(trust_score, 2) as {{ type_double() }}) as trust_score,
        cast(round(total_penalty, 2) as {{ type_double() }}) as total_penalty,
        cast(n_penalties as {{ dbt.type_int() }}) as n_penalties,
        kpi_date
    from scored

)

select * from final
