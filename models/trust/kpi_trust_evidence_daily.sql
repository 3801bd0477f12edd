{#- One row per kpi_daily row x evidence item that costs it points (penalty > 0).
    An evidence item is one (evidence_source, evidence_name) the lineage seed maps to the KPI;
    of all its rows that concern the KPI row (its day, and day + 1 for KPIs computed from the
    next day's activity; its slice, see below) the one with the largest penalty is kept.
    is_counted: every 'defect' item counts; of the 'anomaly' items (statistics the world can
    move too: volume z-scores, slice shares) only the largest counts, because several
    statistics showing one unusual day are one piece of information.
    is_repaired: the lineage seed names a repair the warehouse makes before computing `value`
    (repaired_by): the item lowers reported_trust_score, not trust_score.
    Slices: a slice row (platform = ios) reads only evidence measured on its own rows; a total
    row ('all') reads the whole dataset's evidence and that of every material slice, because a
    total is computed from every slice's rows. The KPI x evidence-day grid and the lineage
    weights come from trust_kpi_evidence_days and int_trust_kpi_evidence_weights.
    A total row reads a slice's evidence at its total_health (the slice's loss as a share of
    the whole dataset, trust_evidence_daily). -#}
{%- set charged_health -%}
    case
        when kpi_evidence_days.dimension_name = 'all'
            then coalesce(evidence.total_health, evidence.health)
        else evidence.health
    end
{%- endset %}

with kpi_evidence_days as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        kpi_date,
        evidence_date
    from {{ ref('trust_kpi_evidence_days') }}

),

kpi_weights as (

    select
        dataset,
        kpi_name,
        evidence_source,
        evidence_name,
        evidence_kind,
        weight,
        repaired_by
    from {{ ref('int_trust_kpi_evidence_weights') }}

),

evidence as (

    select
        evidence_id,
        dataset,
        evidence_source,
        evidence_name,
        evidence_category,
        slice_dimension,
        slice_value,
        scope,
        detail,
        measure,
        health,
        total_health,
        is_material_slice,
        evidence_date
    from {{ ref('trust_evidence_daily') }}

),

candidates as (

    -- only unhealthy evidence can cost points
    select
        kpi_evidence_days.kpi_name,
        kpi_evidence_days.dataset,
        kpi_evidence_days.dimension_name,
        kpi_evidence_days.dimension_value,
        evidence.evidence_id,
        evidence.evidence_source,
        evidence.evidence_name,
        evidence.evidence_category,
        evidence.slice_dimension,
        evidence.slice_value,
        evidence.scope,
        evidence.detail,
        evidence.measure,
        {{ charged_health }} as health,
        kpi_weights.evidence_kind,
        kpi_weights.weight,
        kpi_weights.repaired_by,
        kpi_weights.weight * (1 - {{ charged_health }}) as penalty,
        evidence.is_material_slice,
        evidence.slice_dimension = 'all' as is_whole_dataset,
        kpi_evidence_days.dimension_name <> 'all'
        and evidence.slice_dimension = kpi_evidence_days.dimension_name
        and evidence.slice_value = kpi_evidence_days.dimension_value as is_same_slice,
        kpi_evidence_days.kpi_date,
        kpi_evidence_days.evidence_date
    from kpi_evidence_days
    inner join kpi_weights
        on
            kpi_evidence_days.dataset = kpi_weights.dataset
            and kpi_evidence_days.kpi_name = kpi_weights.kpi_name
    inner join evidence
        on
            kpi_evidence_days.dataset = evidence.dataset
            and kpi_evidence_days.evidence_date = evidence.evidence_date
            and kpi_weights.evidence_source = evidence.evidence_source
            and kpi_weights.evidence_name = evidence.evidence_name
    where {{ charged_health }} < 1

),

applicable as (

    select *
    from candidates
    where
        (dimension_name = 'all' and (is_whole_dataset or is_material_slice))
        or (dimension_name <> 'all' and is_same_slice)

),

ranked as (

    select
        applicable.*,
        row_number() over (
            partition by
                applicable.kpi_name, applicable.dimension_name, applicable.dimension_value,
                applicable.kpi_date, applicable.evidence_source, applicable.evidence_name
            order by
                applicable.penalty desc,
                -- on a tie, the whole dataset's row (largest sample) explains best
                case when applicable.is_whole_dataset then 0 else 1 end asc,
                applicable.evidence_date asc,
                applicable.slice_dimension asc,
                applicable.slice_value asc
        ) as penalty_rank
    from applicable

),

items as (

    select
        ranked.*,
        row_number() over (
            partition by
                ranked.kpi_name, ranked.dimension_name, ranked.dimension_value, ranked.kpi_date,
                ranked.evidence_kind
            order by ranked.penalty desc, ranked.evidence_source asc, ranked.evidence_name asc
        ) as kind_rank
    from ranked
    where
        ranked.penalty_rank = 1
        and ranked.penalty > 0

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'kpi_name', "'|'", 'dimension_name', "'|'", 'dimension_value', "'|'",
            dbt.cast('kpi_date', api.Column.translate_type('string')), "'|'",
            'evidence_source', "'|'", 'evidence_name'
        ])) }} as kpi_trust_evidence_id,
        evidence_id,
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        evidence_source,
        evidence_name,
        evidence_category,
        evidence_kind,
        slice_dimension,
        slice_value,
        scope,
        detail,
        cast(measure as {{ type_double() }}) as measure,
        cast(health as {{ type_double() }}) as health,
        cast(weight as {{ type_double() }}) as weight,
        cast(round(penalty, 2) as {{ type_double() }}) as penalty,
        repaired_by,
        coalesce(repaired_by, '') <> '' as is_repaired,
        evidence_kind = 'defect' or kind_rank = 1 as is_counted,
        kpi_date,
        evidence_date
    from items

)

select * from final
