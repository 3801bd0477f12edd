{#- How well the alarms find the labelled incidents, one row per detector: 'consensus' (the
    alarm is_anomaly at the consensus level built, var('anomaly_consensus')) and each detector's
    own flag. Over anomaly_evaluation's incident x KPI rows: detected shares, the share of right
    verdicts (consensus only: verdicts read the alarm) and of first flags within one day of the
    incident's start. False alarms on total series ('all' slice, both bases) on clean days:
    scored days no labelled incident of the dataset touches; a detector's alarm is the first
    day of a run of flags, the consensus alarm is is_anomaly. Empty without labels. -#}
{%- set detectors = ['consensus', 'seasonal', 'changepoint', 'iforest', 'lof'] -%}
{%- set counts = ['n_incidents', 'n_incident_kpis', 'n_scorable', 'n_detected',
    'n_clean_series_days', 'n_false_alarms'] -%}
{%- set shares = [
    ('incidents_detected_share', 'n_incidents_detected', 'n_incidents'),
    ('incident_kpis_detected_share', 'n_detected', 'n_incident_kpis'),
    ('scorable_detected_share', 'n_detected', 'n_scorable'),
    ('verdicts_right_share', 'n_verdicts_right', 'n_verdicts'),
    ('within_one_day_share', 'n_within_one_day', 'n_detected'),
] -%}

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
                partition by kpi_name, value_basis
                order by kpi_date
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
            {%- if detector == 'consensus' %}
                lag_days,
                is_verdict_right,
                is_scorable,
                is_detected
            {%- else %}
                lag_days{{ suffix }} as lag_days,
                cast(null as boolean) as is_verdict_right,
                is_scorable,
                is_detected{{ suffix }} as is_detected
            {%- endif %}
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

incidents_detected as (

    select
        detector,
        count(*) as n_incidents,
        sum(is_detected) as n_incidents_detected
    from incident_level
    group by detector

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
    inner join incidents_detected
        on evaluated.detector = incidents_detected.detector
    group by evaluated.detector

),

joined as (

    select
        false_alarms.detector,
        coalesce(scores.n_incidents, 0) as n_incidents,
        coalesce(scores.n_incidents_detected, 0) as n_incidents_detected,
        coalesce(scores.n_incident_kpis, 0) as n_incident_kpis,
        coalesce(scores.n_scorable, 0) as n_scorable,
        coalesce(scores.n_detected, 0) as n_detected,
        coalesce(scores.n_verdicts, 0) as n_verdicts,
        coalesce(scores.n_verdicts_right, 0) as n_verdicts_right,
        coalesce(scores.n_within_one_day, 0) as n_within_one_day,
        false_alarms.n_clean_series_days,
        coalesce(false_alarms.n_false_alarms, 0) as n_false_alarms
    from false_alarms
    left join scores
        on false_alarms.detector = scores.detector
    -- no labels, no evaluation: every day would be 'clean' and every alarm 'false'
    where exists (select 1 from incidents)

),

final as (

    select
        detector,
        cast({{ var('anomaly_consensus') }} as {{ dbt.type_int() }}) as consensus_level,
        {%- for count in counts %}
            cast({{ count }} as {{ dbt.type_int() }}) as {{ count }},
        {%- endfor %}
        {%- for name, numerator, denominator in shares %}
            cast(case
                when {{ denominator }} > 0 then 1.0 * {{ numerator }} / {{ denominator }}
            end as {{ type_double() }}) as {{ name }},
        {%- endfor %}
        cast(case
            when n_clean_series_days > 0 then 30.0 * n_false_alarms / n_clean_series_days
        end as {{ type_double() }}) as false_alarms_per_30_days
    from joined

)

select * from final
