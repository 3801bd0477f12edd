{#- The weight each KPI gives each evidence item (lineage seeds trust_kpi_groups x
    trust_evidence_map), one row per dataset x KPI x evidence item: a KPI reached through two
    groups (e.g. game_all and game_purchases) takes the larger weight, never the sum. -#}
with kpi_groups as (

    select
        dataset,
        kpi_group,
        kpi_name
    from {{ ref('trust_kpi_groups') }}

),

evidence_map as (

    select
        dataset,
        evidence_source,
        evidence_name,
        kpi_group,
        evidence_kind,
        weight,
        repaired_by
    from {{ ref('trust_evidence_map') }}

),

final as (

    select
        kpi_groups.dataset,
        kpi_groups.kpi_name,
        evidence_map.evidence_source,
        evidence_map.evidence_name,
        max(evidence_map.evidence_kind) as evidence_kind,
        max(evidence_map.weight) as weight,
        max(evidence_map.repaired_by) as repaired_by
    from evidence_map
    inner join kpi_groups
        on
            evidence_map.dataset = kpi_groups.dataset
            and evidence_map.kpi_group = kpi_groups.kpi_group
    group by 1, 2, 3, 4

)

select * from final
