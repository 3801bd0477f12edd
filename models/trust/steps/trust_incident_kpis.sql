{#- The generator's labelled incidents, one row per incident x KPI it lists (affected_kpis,
    '|'-separated, matched against kpi_definitions of the incident's dataset as
    trust_kpi_incident_labels matches them). The labels' door for the anomaly evaluation
    (models/anomalies may not read staging). Empty without labels. -#}
with incidents as (

    select
        incident_id,
        dataset,
        category,
        incident_type,
        slice_dimension,
        slice_value,
        -- the exact root-cause set; older label files without it: the labelled slice
        {{ incident_root_cause('root_cause', 'slice_dimension', 'slice_value') }} as root_cause,
        affected_kpis,
        coalesce(is_repairable, false) as is_repairable,
        start_at,
        end_at
    from {{ ref('stg_ground_truth__injected_incidents') }}
    where not is_quarantined

),

kpis as (

    select
        kpi_name,
        dataset
    from {{ ref('kpi_definitions') }}

),

final as (

    select
        incidents.incident_id,
        kpis.kpi_name,
        incidents.dataset,
        incidents.category,
        incidents.incident_type,
        incidents.slice_dimension,
        incidents.slice_value,
        incidents.root_cause,
        incidents.is_repairable,
        incidents.start_at,
        incidents.end_at
    from incidents
    inner join kpis
        on
            incidents.dataset = kpis.dataset
            and {{ dbt.concat(["'|'", 'incidents.affected_kpis', "'|'"]) }}
            like {{ dbt.concat(["'%|'", 'kpis.kpi_name', "'|%'"]) }}

)

select * from final
