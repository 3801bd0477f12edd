{#- The generator's ground truth per KPI row: one row per kpi_daily row (totals and slices) that
    an injected incident of its dataset touches (its day, or day + 1 for the KPIs of
    var('trust_next_day_kpis')), with what the incidents say about it. An incident covers a row
    when either is 'all', they are the same slice, or the row's slice is a pair of the labelled
    root-cause set (macro incident_covers_slice: each slice of a combination, both of two
    slices); a row of a dimension every element of the set fixes, with another value, is a
    'sibling'; a row of another dimension is 'indirect'. Read only by trust_evaluation: the
    labels stay out of everything the trust score reads. -#}
{%- set timestamp_type = dbt.type_timestamp() -%}

with kpi_rows as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        kpi_date
    from {{ ref('kpi_daily') }}

),

incidents as (

    select
        incident_id,
        dataset,
        category,
        affected_kpis,
        slice_dimension,
        slice_value,
        {{ incident_root_cause('root_cause', 'slice_dimension', 'slice_value') }} as root_cause,
        coalesce(is_repairable, false) as is_repairable,
        start_at,
        end_at
    from {{ ref('stg_ground_truth__injected_incidents') }}
    where not is_quarantined

),

pairs as (

    -- every (KPI row, incident of its dataset touching its day or, for next-day KPIs, day + 1)
    select
        kpi_rows.kpi_name,
        kpi_rows.dimension_name,
        kpi_rows.dimension_value,
        kpi_rows.kpi_date,
        incidents.incident_id,
        incidents.category,
        incidents.is_repairable,
        {{ dbt.concat(["'|'", 'incidents.affected_kpis', "'|'"]) }}
        like {{ dbt.concat(["'%|'", 'kpi_rows.kpi_name', "'|%'"]) }} as lists_kpi,
        {{ incident_touches_day(
            'kpi_rows.kpi_name', 'kpi_rows.kpi_date', 'incidents.start_at', 'incidents.end_at'
        ) }} as touches_row,
        case
            when {{ incident_covers_slice(
                'kpi_rows.dimension_name', 'kpi_rows.dimension_value',
                'incidents.slice_dimension', 'incidents.slice_value', 'incidents.root_cause'
            ) }} then 'covers'
            when
                {{ incident_fixes_dimension('kpi_rows.dimension_name', 'incidents.root_cause') }}
                then 'sibling'
            else 'indirect'
        end as slice_relation
    from kpi_rows
    inner join incidents
        on
            kpi_rows.dataset = incidents.dataset
            and incidents.start_at
            < cast({{ dbt.dateadd('day', 2, 'kpi_rows.kpi_date') }} as {{ timestamp_type }})
            and incidents.end_at > cast(kpi_rows.kpi_date as {{ timestamp_type }})

),

final as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        {{ ordered_listagg('incident_id', "'|'", 'incident_id') }} as incident_ids,
        {%- for score_kind in ['reported', 'adjusted'] %}
            max(case
                when category = 'data_quality' and lists_kpi and touches_row
                    and slice_relation = 'covers'
                    {%- if score_kind == 'adjusted' %} and not is_repairable{% endif %}
                    then 1
                else 0
            end) as {{ score_kind }}_positive,
        {%- endfor %}
        max(case
            when category = 'data_quality' and lists_kpi and touches_row
                and slice_relation = 'covers' and is_repairable
                then 1
            else 0
        end) as has_repaired,
        max(case
            when category = 'data_quality' and lists_kpi and touches_row
                and slice_relation = 'indirect'
                then 1
            else 0
        end) as has_indirect,
        max(case
            when category = 'data_quality' and lists_kpi and touches_row
                and slice_relation = 'sibling'
                then 1
            else 0
        end) as has_sibling,
        max(case
            when category = 'business' and lists_kpi and touches_row
                then 1
            else 0
        end) as has_business,
        max(case
            when category = 'data_quality' and not lists_kpi and touches_row
                then 1
            else 0
        end) as has_unrelated,
        kpi_date
    from pairs
    where touches_row
    group by kpi_name, dimension_name, dimension_value, kpi_date

)

select * from final
