{#- The counted penalties of each kpi_daily row that has any, summed and put in words: one row
    per KPI row with at least one counted penalty (kpi_trust_evidence_daily.is_counted).
    total_penalty / n_penalties leave out repaired items (they lower only the reported score);
    reported_reasons lists the three largest penalties, adjusted_reasons the three largest
    unrepaired ones, repaired_by the repairs behind `value`. -#}
{%- set string_type = api.Column.translate_type('string') -%}

with penalties as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        evidence_source,
        evidence_name,
        detail,
        penalty,
        repaired_by,
        is_repaired,
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
        count(*) as n_reported_penalties,
        sum(case when is_repaired then 0 else 1 end) as n_penalties,
        sum(penalty) as reported_penalty,
        sum(case when is_repaired then 0 else penalty end) as total_penalty
    from penalties
    group by 1, 2, 3, 4

),

ranked_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        is_repaired,
        {{ dbt.concat([
            'detail', "' (-'", dbt.cast('round(penalty, 1)', string_type), "' pts)'"
        ]) }} as reason,
        row_number() over (
            partition by kpi_name, dimension_name, dimension_value, kpi_date
            order by penalty desc, evidence_source asc, evidence_name asc
        ) as reported_rank,
        row_number() over (
            partition by kpi_name, dimension_name, dimension_value, kpi_date, is_repaired
            order by penalty desc, evidence_source asc, evidence_name asc
        ) as kind_rank
    from penalties

),

reported_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        {{ ordered_listagg('reason', "'; '", 'reported_rank') }} as reasons
    from ranked_reasons
    where reported_rank <= 3
    group by 1, 2, 3, 4

),

adjusted_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        {{ ordered_listagg('reason', "'; '", 'kind_rank') }} as reasons
    from ranked_reasons
    where not is_repaired and kind_rank <= 3
    group by 1, 2, 3, 4

),

repairs as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        {{ ordered_listagg('repaired_by', "', '", 'repaired_by') }} as repaired_by
    from (
        select distinct
            kpi_name,
            dimension_name,
            dimension_value,
            kpi_date,
            repaired_by
        from penalties
        where is_repaired
    ) as distinct_repairs
    group by 1, 2, 3, 4

),

final as (

    select
        penalty_totals.kpi_name,
        penalty_totals.dimension_name,
        penalty_totals.dimension_value,
        reported_reasons.reasons as reported_reasons,
        adjusted_reasons.reasons as adjusted_reasons,
        repairs.repaired_by,
        penalty_totals.n_reported_penalties,
        penalty_totals.n_penalties,
        penalty_totals.reported_penalty,
        penalty_totals.total_penalty,
        penalty_totals.kpi_date
    from penalty_totals
    left join reported_reasons
        on
            penalty_totals.kpi_name = reported_reasons.kpi_name
            and penalty_totals.dimension_name = reported_reasons.dimension_name
            and penalty_totals.dimension_value = reported_reasons.dimension_value
            and penalty_totals.kpi_date = reported_reasons.kpi_date
    left join adjusted_reasons
        on
            penalty_totals.kpi_name = adjusted_reasons.kpi_name
            and penalty_totals.dimension_name = adjusted_reasons.dimension_name
            and penalty_totals.dimension_value = adjusted_reasons.dimension_value
            and penalty_totals.kpi_date = adjusted_reasons.kpi_date
    left join repairs
        on
            penalty_totals.kpi_name = repairs.kpi_name
            and penalty_totals.dimension_name = repairs.dimension_name
            and penalty_totals.dimension_value = repairs.dimension_value
            and penalty_totals.kpi_date = repairs.kpi_date

)

select * from final
