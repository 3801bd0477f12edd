{#- One row per dataset per day: how far the day's data as a whole can be trusted.
    dataset_trust_score = max(0, 100 - sum over evidence categories of the category's largest
    penalty), where an evidence row's penalty is weight x (1 - health) and its weight is the
    largest weight the lineage seed gives it for any KPI. Only reviewed evidence (mapped to at
    least one KPI) of the whole dataset and of its material slices counts. A category counts
    once however many sources (signal, dbt test, GE) saw the same problem. -#}
{%- set high_threshold = var('trust_high_threshold') -%}
{%- set low_threshold = var('trust_low_threshold') -%}

with dataset_days as (

    select distinct
        dataset,
        kpi_date as trust_date
    from {{ ref('kpi_daily') }}

),

reviewed_evidence as (

    -- an evidence item's weight for the dataset: the largest any KPI gives it
    select
        dataset,
        evidence_source,
        evidence_name,
        max(weight) as weight
    from {{ ref('trust_evidence_map') }}
    group by 1, 2, 3

),

evidence as (

    select
        evidence.dataset,
        evidence.evidence_source,
        evidence.evidence_name,
        evidence.evidence_category,
        evidence.slice_dimension,
        evidence.slice_value,
        evidence.scope,
        evidence.detail,
        evidence.health,
        reviewed_evidence.weight,
        evidence.evidence_date
    from {{ ref('trust_evidence_daily') }} as evidence
    inner join reviewed_evidence
        on
            evidence.dataset = reviewed_evidence.dataset
            and evidence.evidence_source = reviewed_evidence.evidence_source
            and evidence.evidence_name = reviewed_evidence.evidence_name
    where
        evidence.slice_dimension = 'all'
        or evidence.is_material_slice

),

ranked as (

    select
        evidence.dataset,
        evidence.evidence_category,
        evidence.detail,
        evidence.health,
        evidence.weight,
        evidence.weight * (1 - evidence.health) as penalty,
        evidence.evidence_date,
        row_number() over (
            partition by evidence.dataset, evidence.evidence_date, evidence.evidence_category
            order by
                evidence.weight * (1 - evidence.health) desc,
                case when evidence.slice_dimension = 'all' then 0 else 1 end asc,
                evidence.evidence_source asc,
                evidence.evidence_name asc,
                -- full tie-break, so the quoted reason is the same on every build
                evidence.slice_dimension asc,
                evidence.slice_value asc,
                evidence.scope asc
        ) as penalty_rank
    from evidence

),

category_penalties as (

    select
        dataset,
        evidence_category,
        {{ dbt.concat([
            'evidence_category', "': '", 'detail',
            "' (-'",
            dbt.cast('round(penalty, 1)', api.Column.translate_type('string')),
            "' pts)'"
        ]) }} as reason,
        penalty,
        evidence_date,
        row_number() over (
            partition by dataset, evidence_date
            order by penalty desc, evidence_category asc
        ) as reason_rank
    from ranked
    where
        penalty_rank = 1
        and penalty > 0

),

day_totals as (

    select
        dataset,
        evidence_date,
        count(*) as n_penalised_categories,
        sum(penalty) as total_penalty
    from category_penalties
    group by 1, 2

),

day_reasons as (

    select
        dataset,
        evidence_date,
        {{ ordered_listagg('reason', "'; '", 'reason_rank') }} as top_reasons
    from category_penalties
    where reason_rank <= 3
    group by 1, 2

),

scored as (

    select
        dataset_days.dataset,
        day_reasons.top_reasons,
        coalesce(day_totals.total_penalty, 0) as total_penalty,
        case
            when coalesce(day_totals.total_penalty, 0) >= 100 then 0
            else 100 - coalesce(day_totals.total_penalty, 0)
        end as dataset_trust_score,
        coalesce(day_totals.n_penalised_categories, 0) as n_penalised_categories,
        dataset_days.trust_date
    from dataset_days
    left join day_totals
        on
            dataset_days.dataset = day_totals.dataset
            and dataset_days.trust_date = day_totals.evidence_date
    left join day_reasons
        on
            dataset_days.dataset = day_reasons.dataset
            and dataset_days.trust_date = day_reasons.evidence_date

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'dataset', "'|'", dbt.cast('trust_date', api.Column.translate_type('string'))
        ])) }} as dataset_trust_id,
        dataset,
        case
            when dataset_trust_score >= {{ high_threshold }} then 'high'
            when dataset_trust_score < {{ low_threshold }} then 'low'
            else 'medium'
        end as trust_level,
        top_reasons,
        cast(round(dataset_trust_score, 2) as {{ type_double() }}) as dataset_trust_score,
        cast(round(total_penalty, 2) as {{ type_double() }}) as total_penalty,
        cast(n_penalised_categories as {{ dbt.type_int() }}) as n_penalised_categories,
        trust_date
    from scored

)

select * from final
