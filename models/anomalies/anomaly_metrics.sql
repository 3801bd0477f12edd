{#- How well the alarms find the labelled incidents, one row per detector: 'consensus' (the
    alarm is_anomaly at the consensus level built, var('anomaly_consensus')) and each detector's
    own flag. Over anomaly_evaluation's incident x KPI rows: detected shares, the share of right
    verdicts (consensus only: verdicts read the alarm) and of first flags within one day of the
    incident's start. False alarms on total series ('all' slice, both bases) on clean days:
    scored days no labelled incident of the dataset touches; a detector's alarm is the first
    day of a run of flags, the consensus alarm is is_anomaly. Empty without labels. -#}
{%- set detectors = ['consensus', 'seasonal', 'changepoint', 'iforest', 'lof'] -%}

with evaluation as (

    select * from {{ ref('anomaly_evaluation') }}

),

incidents as (

    select distinct
        incident_id,
        dataset,
        start_at,
        end_at
    from {{ ref('trust_incident_kpis') }}

),

totals as (

    select
        kpi_name,
        dataset,
        value_basis,
        status,
        is_anomaly as alarm_consensus,
        {%- for detector in detectors[1:] %}
            flag_{{ detector }} and not coalesce(lag(flag_{{ detector }}) over (
                partition by kpi_name, value_basis order by kpi_date
            ), false) as alarm_{{ detector }},
        {%- endfor %}
        kpi_date
    from {{ ref('kpi_anomalies_daily') }}
    where dimension_name = 'all'

),

clean_days as (

    select *
    from totals
    where
        status not in ('insufficient_history', 'missing_value')
        and not exists (
            select 1
            from incidents
            where
                incidents.dataset = totals.dataset
                and {{ incident_touches_day(
                    'totals.kpi_name', 'totals.kpi_date', 'incidents.start_at', 'incidents.end_at'
                ) }}
        )

),

false_alarms as (

    {%- for detector in detectors %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ detector }}' as detector,
            count(*) as n_clean_series_days,
            sum(case when alarm_{{ detector }} then 1 else 0 end) as n_false_alarms
        from clean_days
    {%- endfor %}

),

evaluated as (

    {%- for detector in detectors %}
        {%- set suffix = '' if detector == 'consensus' else '_' ~ detector %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ detector }}' as detector,
            incident_id,
            lag_days{{ suffix }} as lag_days,
            {{ 'is_verdict_right' if detector == 'consensus' else 'cast(null as boolean)' }}
                as is_verdict_right,
            is_scorable,
            is_detected{{ suffix }} as is_detected
        from evaluation
    {%- endfor %}

),

incident_level as (

    select
        detector,
        incident_id,
        max(case when is_detected then 1 else 0 end) as is_detected
    from evaluated
    group by detector, incident_id

),

scores as (

    select
        evaluated.detector,
        count(*) as n_incident_kpis,
        sum(case when evaluated.is_scorable then 1 else 0 end) as n_scorable,
        sum(case when evaluated.is_detected then 1 else 0 end) as n_detected,
        count(evaluated.is_verdict_right) as n_verdicts,
        sum(case when evaluated.is_verdict_right then 1 else 0 end) as n_verdicts_right,
        sum(case when evaluated.is_detected and evaluated.lag_days <= 1 then 1 else 0 end)
            as n_within_one_day,
        max(incidents_detected.n_incidents) as n_incidents,
        max(incidents_detected.n_incidents_detected) as n_incidents_detected
    from evaluated
    inner join (
        select
            detector,
            count(*) as n_incidents,
            sum(is_detected) as n_incidents_detected
        from incident_level
        group by detector
    ) as incidents_detected
        on evaluated.detector = incidents_detected.detector
    group by evaluated.detector

),

final as (

    select
        false_alarms.detector,
        cast({{ var('anomaly_consensus') }} as {{ dbt.type_int() }}) as consensus_level,
        cast(coalesce(scores.n_incidents, 0) as {{ dbt.type_int() }}) as n_incidents,
        cast(coalesce(scores.n_incident_kpis, 0) as {{ dbt.type_int() }}) as n_incident_kpis,
        cast(coalesce(scores.n_scorable, 0) as {{ dbt.type_int() }}) as n_scorable,
        cast(coalesce(scores.n_detected, 0) as {{ dbt.type_int() }}) as n_detected,
        cast(false_alarms.n_clean_series_days as {{ dbt.type_int() }}) as n_clean_series_days,
        cast(coalesce(false_alarms.n_false_alarms, 0) as {{ dbt.type_int() }}) as n_false_alarms,
        cast(case when scores.n_incidents > 0 then 1.0 * scores.n_incidents_detected / scores.n_incidents end
            as {{ type_double() }}) as incidents_detected_share,
        cast(case when scores.n_incident_kpis > 0 then 1.0 * scores.n_detected / scores.n_incident_kpis end
            as {{ type_double() }}) as incident_kpis_detected_share,
        cast(case when scores.n_scorable > 0 then 1.0 * scores.n_detected / scores.n_scorable end
            as {{ type_double() }}) as scorable_detected_share,
        cast(case when scores.n_verdicts > 0 then 1.0 * scores.n_verdicts_right / scores.n_verdicts end
            as {{ type_double() }}) as verdicts_right_share,
        cast(case when scores.n_detected > 0 then 1.0 * scores.n_within_one_day / scores.n_detected end
            as {{ type_double() }}) as within_one_day_share,
        cast(case
            when false_alarms.n_clean_series_days > 0
                then 30.0 * false_alarms.n_false_alarms / false_alarms.n_clean_series_days
        end as {{ type_double() }}) as false_alarms_per_30_days
    from false_alarms
    left join scores
        on false_alarms.detector = scores.detector
    -- no labels, no evaluation: every day would be 'clean' and every alarm 'false'
    where exists (select 1 from incidents)

)

select * from final
