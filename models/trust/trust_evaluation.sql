{#- The trust score scored against the generator's ground truth: one row per whole-dataset
    ('all') KPI-day of kpi_trust_daily, labelled from the injected incidents.
    * positive (label_class = 'data_quality'): a data-quality incident whose window
      [start_at, end_at) overlaps the day and whose affected_kpis lists the KPI; for KPIs
      computed from the next day's activity (d1_retention) also when it overlaps day + 1;
    * negatives: 'business_only' (a business incident lists the KPI that day, no data-quality
      incident does), 'unaffected_by_dq' (a data-quality incident of the dataset overlaps the
      day but does not list the KPI), 'clean' (anything else).
    A KPI-day is flagged when trust_score < var('trust_low_threshold'). KPI-days whose value is
    null (d1_retention of the last day, a ratio with a zero denominator) have no number to trust
    and are kept with is_evaluated = false. With no labels (users' own logs) the model is empty. -#}
{%- set next_day_kpis = var('trust_next_day_kpis') -%}
{%- set low_threshold = var('trust_low_threshold') -%}
{%- set high_threshold = var('trust_high_threshold') -%}

with kpi_days as (

    select
        kpi_name,
        dataset,
        trust_level,
        top_reasons,
        value,
        trust_score,
        kpi_date
    from {{ ref('kpi_trust_daily') }}
    where dimension_name = 'all'

),

incidents as (

    select
        incident_id,
        dataset,
        category,
        incident_type,
        affected_kpis,
        start_at,
        end_at
    from {{ ref('stg_ground_truth__injected_incidents') }}
    where not is_quarantined

),

kpi_day_windows as (

    select
        kpi_name,
        dataset,
        kpi_date,
        cast(kpi_date as {{ dbt.type_timestamp() }}) as day_start_at,
        cast({{ dbt.dateadd('day', 1, 'kpi_date') }} as {{ dbt.type_timestamp() }}) as day_end_at,
        cast({{ dbt.dateadd('day', 2, 'kpi_date') }} as {{ dbt.type_timestamp() }})
            as next_day_end_at
    from kpi_days

),

incident_kpi_days as (

    -- every (KPI-day, incident of its dataset) pair where the incident touches the day (or,
    -- for next-day KPIs, the next day)
    select
        kpi_day_windows.kpi_name,
        kpi_day_windows.kpi_date,
        incidents.incident_id,
        incidents.category,
        {{ dbt.concat(["'|'", 'incidents.affected_kpis', "'|'"]) }}
        like {{ dbt.concat(["'%|'", 'kpi_day_windows.kpi_name', "'|%'"]) }} as lists_kpi,
        incidents.start_at < kpi_day_windows.day_end_at
        and incidents.end_at > kpi_day_windows.day_start_at as overlaps_day,
        {% if next_day_kpis | length > 0 -%}
            kpi_day_windows.kpi_name in (
                {%- for kpi_name in next_day_kpis -%}
                    '{{ kpi_name }}'{%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
            )
            and incidents.start_at < kpi_day_windows.next_day_end_at
            and incidents.end_at > kpi_day_windows.day_end_at
        {%- else -%}
        false
        {%- endif %} as overlaps_next_day
    from kpi_day_windows
    inner join incidents
        on
            kpi_day_windows.dataset = incidents.dataset
            and kpi_day_windows.next_day_end_at > incidents.start_at
            and kpi_day_windows.day_start_at < incidents.end_at

),

kpi_day_labels as (

    select
        kpi_name,
        kpi_date,
        max(case
            when category = 'data_quality' and lists_kpi and (overlaps_day or overlaps_next_day)
                then 1
            else 0
        end) as has_dq_incident,
        max(case
            when category = 'business' and lists_kpi and (overlaps_day or overlaps_next_day)
                then 1
            else 0
        end) as has_business_incident,
        max(case
            when category = 'data_quality' and not lists_kpi and overlaps_day then 1
            else 0
        end) as has_unrelated_dq_incident,
        {{ dbt.listagg(
            'incident_id', "'|'", 'order by incident_id'
        ) }} as incident_ids
    from incident_kpi_days
    where
        overlaps_day
        or (lists_kpi and overlaps_next_day)
    group by 1, 2

),

labelled as (

    select
        kpi_days.kpi_name,
        kpi_days.dataset,
        kpi_days.trust_level,
        kpi_days.top_reasons,
        kpi_day_labels.incident_ids,
        case
            when kpi_day_labels.has_dq_incident = 1 then 'data_quality'
            when kpi_day_labels.has_business_incident = 1 then 'business_only'
            when kpi_day_labels.has_unrelated_dq_incident = 1 then 'unaffected_by_dq'
            else 'clean'
        end as label_class,
        case
            when kpi_days.value is null then 'value is null (nothing to trust)'
        end as exclusion_reason,
        kpi_days.value,
        kpi_days.trust_score,
        coalesce(kpi_day_labels.has_dq_incident, 0) = 1 as is_positive,
        kpi_days.trust_score < {{ low_threshold }} as is_flagged,
        kpi_days.trust_score >= {{ high_threshold }} as is_high,
        kpi_days.value is not null as is_evaluated,
        kpi_days.kpi_date
    from kpi_days
    left join kpi_day_labels
        on
            kpi_days.kpi_name = kpi_day_labels.kpi_name
            and kpi_days.kpi_date = kpi_day_labels.kpi_date
    -- labels exist only when the incident table has rows: a warehouse built from users' own
    -- logs has no ground truth, and calling all its days 'clean' would be a claim we cannot make
    where exists (select 1 from incidents)

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'kpi_name', "'|'", dbt.cast('kpi_date', api.Column.translate_type('string'))
        ])) }} as trust_evaluation_id,
        kpi_name,
        dataset,
        label_class,
        trust_level,
        case
            when is_positive and is_flagged then 'tp'
            when is_positive then 'fn'
            when is_flagged then 'fp'
            else 'tn'
        end as outcome,
        incident_ids,
        top_reasons,
        exclusion_reason,
        cast(value as {{ type_double() }}) as value,  -- noqa: RF04
        cast(trust_score as {{ type_double() }}) as trust_score,
        is_positive,
        is_flagged,
        is_high,
        is_evaluated,
        kpi_date
    from labelled

)

select * from final
