{#- The anomaly alarms scored against the generator's labels: one row per labelled incident x
    KPI it lists (trust_incident_kpis). The incident's rows are the KPI's kpi_anomalies_daily
    rows it covers as trust_kpi_incident_labels reads it (its labelled slice, the total, every
    slice for a dataset-wide incident) and the slice of each pair of its labelled root-cause set
    (a latency regression in one API and one region moves that region's slice too), on either value basis, on the days its window touches
    (macro incident_touches_day). Detected = an alarm (is_anomaly) on one of them; the verdict
    is kpi_verdicts_daily's on the first alarm day (the labelled slice, then the total); right = data_incident or repaired_incident for a
    data-quality incident, real_movement for a business one. Each detector's own flag
    (flag_<detector>) and the alarm of each consensus level (alarm_consensus_<level>) are
    scored the same way for anomaly_metrics. Empty without labels. -#}
{%- set signals = {
    'seasonal': 'flag_seasonal', 'changepoint': 'flag_changepoint',
    'iforest': 'flag_iforest', 'lof': 'flag_lof',
    'consensus_1': 'alarm_consensus_1', 'consensus_2': 'alarm_consensus_2',
    'consensus_3': 'alarm_consensus_3',
} -%}

with incidents as (

    select * from {{ ref('trust_incident_kpis') }}

),

anomalies as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        status,
        is_anomaly,
        {%- for column in signals.values() %}
            {{ column }},
        {%- endfor %}
        kpi_date
    from {{ ref('kpi_anomalies_daily') }}

),

verdicts as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        verdict,
        kpi_date
    from {{ ref('kpi_verdicts_daily') }}

),

window_rows as (

    select
        incidents.incident_id,
        incidents.kpi_name,
        anomalies.dimension_name,
        anomalies.dimension_value,
        anomalies.status,
        anomalies.is_anomaly,
        {%- for column in signals.values() %}
            anomalies.{{ column }},
        {%- endfor %}
        anomalies.kpi_date
    from incidents
    inner join anomalies
        on
            incidents.kpi_name = anomalies.kpi_name
            -- its slice, the total, every slice when dataset-wide, and each slice of a pair of
            -- its root-cause set (a combination moves each of its slices, two slices both)
            and {{ incident_covers_slice(
                'anomalies.dimension_name', 'anomalies.dimension_value',
                'incidents.slice_dimension', 'incidents.slice_value', 'incidents.root_cause'
            ) }}
            and {{ incident_touches_day(
                'anomalies.kpi_name', 'anomalies.kpi_date', 'incidents.start_at', 'incidents.end_at'
            ) }}

),

first_flags as (

    select
        incident_id,
        kpi_name,
        max(case
            when status not in ('insufficient_history', 'missing_value') then 1 else 0
        end) as is_scorable,
        min(case when is_anomaly then kpi_date end) as first_flag_date,
        {%- for name, column in signals.items() %}
            min(case when {{ column }} then kpi_date end) as first_flag_date_{{ name }},
        {%- endfor %}
        count(distinct kpi_date) as n_window_days
    from window_rows
    group by incident_id, kpi_name

),

first_verdicts as (

    -- the verdict of the first alarm day: the labelled slice's before the total's
    select
        window_rows.incident_id,
        window_rows.kpi_name,
        verdicts.verdict,
        row_number() over (
            partition by window_rows.incident_id, window_rows.kpi_name
            order by
                window_rows.kpi_date,
                case
                    when
                        verdicts.dimension_name = incidents.slice_dimension
                        and verdicts.dimension_value = incidents.slice_value
                        then 0
                    when verdicts.dimension_name = 'all' then 1
                    else 2
                end
        ) as verdict_rank
    from window_rows
    inner join incidents
        on
            window_rows.incident_id = incidents.incident_id
            and window_rows.kpi_name = incidents.kpi_name
    inner join verdicts
        on
            window_rows.kpi_name = verdicts.kpi_name
            and window_rows.dimension_name = verdicts.dimension_name
            and window_rows.dimension_value = verdicts.dimension_value
            and window_rows.kpi_date = verdicts.kpi_date
    where window_rows.is_anomaly

),

final as (

    select
        {{ dbt.hash(dbt.concat(['incidents.incident_id', "'|'", 'incidents.kpi_name'])) }}
            as anomaly_evaluation_id,
        incidents.incident_id,
        incidents.kpi_name,
        incidents.dataset,
        incidents.category,
        incidents.incident_type,
        incidents.slice_dimension,
        incidents.slice_value,
        case
            when incidents.category = 'business' then 'real_movement'
            else 'data_incident|repaired_incident'
        end as expected_verdicts,
        first_verdicts.verdict,
        coalesce(first_flags.n_window_days, 0) as n_window_days,
        {{ dbt.datediff(
            dbt.cast('incidents.start_at', 'date'), 'first_flags.first_flag_date', 'day'
        ) }} as lag_days,
        {%- for name in signals %}
            {{ dbt.datediff(
                dbt.cast('incidents.start_at', 'date'), 'first_flags.first_flag_date_' ~ name, 'day'
            ) }} as lag_days_{{ name }},
        {%- endfor %}
        incidents.is_repairable,
        coalesce(first_flags.is_scorable, 0) = 1 as is_scorable,
        first_flags.first_flag_date is not null as is_detected,
        case
            when first_verdicts.verdict is null then null
            when incidents.category = 'business' then first_verdicts.verdict = 'real_movement'
            else first_verdicts.verdict in ('data_incident', 'repaired_incident')
        end as is_verdict_right,
        {%- for name in signals %}
            first_flags.first_flag_date_{{ name }} is not null as is_detected_{{ name }},
        {%- endfor %}
        cast(incidents.start_at as date) as incident_start_date,
        first_flags.first_flag_date,
        incidents.start_at,
        incidents.end_at
    from incidents
    left join first_flags
        on
            incidents.incident_id = first_flags.incident_id
            and incidents.kpi_name = first_flags.kpi_name
    left join first_verdicts
        on
            incidents.incident_id = first_verdicts.incident_id
            and incidents.kpi_name = first_verdicts.kpi_name
            and first_verdicts.verdict_rank = 1

)

select * from final
