{#- The root causes scored against the generator's labels: one row per labelled incident x KPI
    it lists (trust_incident_kpis) x kpi_root_causes row set it covers: the KPI's verdict rows on
    the days its window touches (macro incident_touches_day), on the total, on the labelled
    slice, or on any slice for a dataset-wide incident. The expected cause: the incident's
    root_cause on the total and on its own slice; for a dataset-wide incident 'all' on the total
    (the movement is broad) and the row's own slice on a slice (it moved as a whole). A cause is
    compared on the logs' columns: the cube-only install cohort pairs (install_week=...) are
    dropped first, since labels do not state a cohort. Empty without labels. -#}

with incidents as (

    select * from {{ ref('trust_incident_kpis') }}

),

causes as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        verdict,
        cause_rank,
        is_broad,
        kpi_date,
        -- pairs joined by '&', install cohort pairs dropped
        {{ regex_remove(regex_remove('root_cause', "'install_week=[^&]*&?'"), "'&$'") }}
            as root_cause
    from {{ ref('kpi_root_causes') }}

),

rows_covered as (

    select distinct
        incidents.incident_id,
        incidents.kpi_name,
        incidents.dataset,
        incidents.category,
        incidents.incident_type,
        incidents.slice_dimension,
        incidents.root_cause as labelled_root_cause,
        causes.dimension_name,
        causes.dimension_value,
        causes.verdict,
        case
            when causes.dimension_name = 'all' then incidents.root_cause
            when incidents.slice_dimension = 'all'
                then {{ dbt.concat(['causes.dimension_name', "'='", 'causes.dimension_value']) }}
            else incidents.root_cause
        end as expected_root_cause,
        causes.kpi_date
    from incidents
    inner join causes
        on
            incidents.kpi_name = causes.kpi_name
            and {{ incident_covers_slice(
                'causes.dimension_name', 'causes.dimension_value',
                'incidents.slice_dimension', 'incidents.slice_value'
            ) }}
            and {{ incident_touches_day(
                'causes.kpi_name', 'causes.kpi_date', 'incidents.start_at', 'incidents.end_at'
            ) }}

),

ranked as (

    select
        rows_covered.incident_id,
        rows_covered.kpi_name,
        rows_covered.dimension_name,
        rows_covered.dimension_value,
        rows_covered.kpi_date,
        max(case when causes.cause_rank = 1 then causes.root_cause end) as top_root_cause,
        max(case
            when causes.cause_rank = 1 and causes.root_cause = rows_covered.expected_root_cause
                then 1
            else 0
        end) as is_top1,
        max(case
            when causes.cause_rank <= 3 and causes.root_cause = rows_covered.expected_root_cause
                then 1
            else 0
        end) as is_top3
    from rows_covered
    inner join causes
        on
            rows_covered.kpi_name = causes.kpi_name
            and rows_covered.dimension_name = causes.dimension_name
            and rows_covered.dimension_value = causes.dimension_value
            and rows_covered.kpi_date = causes.kpi_date
    group by
        rows_covered.incident_id,
        rows_covered.kpi_name,
        rows_covered.dimension_name,
        rows_covered.dimension_value,
        rows_covered.kpi_date

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'rows_covered.incident_id', "'|'", 'rows_covered.kpi_name', "'|'",
            'rows_covered.dimension_name', "'|'", 'rows_covered.dimension_value', "'|'",
            dbt.safe_cast('rows_covered.kpi_date', dbt.type_string())
        ])) }} as rca_evaluation_id,
        rows_covered.incident_id,
        rows_covered.kpi_name,
        rows_covered.dataset,
        rows_covered.category,
        rows_covered.incident_type,
        rows_covered.dimension_name,
        rows_covered.dimension_value,
        rows_covered.verdict,
        rows_covered.labelled_root_cause,
        rows_covered.expected_root_cause,
        ranked.top_root_cause,
        rows_covered.slice_dimension != 'all' as has_slice,
        ranked.is_top1 = 1 as is_top1_hit,
        ranked.is_top3 = 1 as is_top3_hit,
        rows_covered.kpi_date
    from rows_covered
    inner join ranked
        on
            rows_covered.incident_id = ranked.incident_id
            and rows_covered.kpi_name = ranked.kpi_name
            and rows_covered.dimension_name = ranked.dimension_name
            and rows_covered.dimension_value = ranked.dimension_value
            and rows_covered.kpi_date = ranked.kpi_date

)

select * from final
