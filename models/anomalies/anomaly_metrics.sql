{#- How well the alarms find the labelled incidents, one row per detector: 'consensus' (the
    alarm is_anomaly at the consensus level built, var('anomaly_consensus')), each consensus
    level's alarm (consensus_1..3, from the same flags) and each detector's own flag. Shares at
    the incident level (an incident is detected when one of its KPIs is; its lag is that of its
    first alarm; its verdict is right when more verdicts of its first alarm day are right than
    wrong, 'uncertain' abstaining), business incidents apart, and at the incident x KPI level.
    False alarms per series per 30 clean days from anomaly_false_alarms. Empty without labels. -#}
{%- set signals = anomaly_alarm_signals() -%}
{%- set counts = ['n_incidents', 'n_incidents_detected', 'n_business_incidents',
    'n_business_detected', 'n_incident_kpis', 'n_scorable', 'n_detected',
    'n_clean_series_days', 'n_false_alarms'] -%}
{%- set shares = [
    ('incidents_detected_share', 'n_incidents_detected', 'n_incidents'),
    ('business_detected_share', 'n_business_detected', 'n_business_incidents'),
    ('incident_kpis_detected_share', 'n_detected', 'n_incident_kpis'),
    ('scorable_detected_share', 'n_detected', 'n_scorable'),
    ('verdicts_right_share', 'n_verdicts_right', 'n_verdicts'),
    ('within_one_day_share', 'n_within_one_day', 'n_incidents_detected'),
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

false_alarms as (

    select * from {{ ref('anomaly_false_alarms') }}

),

evaluated as (

    {%- for name in signals %}
        {%- set suffix = '' if name == 'consensus' else '_' ~ name %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ name }}' as detector,
            incident_id,
            category,
            lag_days{{ suffix }} as lag_days,  -- noqa: AL09
            {%- if name == 'consensus' %}
                is_verdict_right,
            {%- else %}
                cast(null as boolean) as is_verdict_right,
            {%- endif %}
            is_scorable,
            is_detected{{ suffix }} as is_detected  -- noqa: AL09
        from evaluation
    {%- endfor %}

),

incident_level as (

    -- an incident's first alarm: its earliest lag over its KPIs; its verdict is right when
    -- every verdict given on that day is
    select
        detector,
        incident_id,
        max(category) as category,
        max(case when is_detected then 1 else 0 end) as is_detected,
        min(lag_days) as lag_days
    from evaluated
    group by detector, incident_id

),

incident_verdicts as (

    -- the incident's verdict is what its first alarm day says: right when more of that day's
    -- verdicts are right than wrong, 'uncertain' abstaining (all uncertain: not right)
    select
        incident_level.detector,
        incident_level.incident_id,
        case
            when
                sum(case when evaluation.is_verdict_right then 1 else 0 end)
                > sum(case
                    when not evaluation.is_verdict_right and evaluation.verdict <> 'uncertain'
                        then 1
                    else 0
                end)
                then 1
            else 0
        end as is_verdict_right
    from incident_level
    inner join evaluation
        on
            incident_level.incident_id = evaluation.incident_id
            and incident_level.lag_days = evaluation.lag_days
    where incident_level.detector = 'consensus' and evaluation.is_verdict_right is not null
    group by incident_level.detector, incident_level.incident_id

),

incident_scores as (

    select
        incident_level.detector,
        count(*) as n_incidents,
        sum(incident_level.is_detected) as n_incidents_detected,
        sum(case when incident_level.category = 'business' then 1 else 0 end)
            as n_business_incidents,
        sum(case
            when incident_level.category = 'business' then incident_level.is_detected else 0
        end) as n_business_detected,
        sum(case when incident_level.lag_days <= 1 then 1 else 0 end) as n_within_one_day,
        count(incident_verdicts.is_verdict_right) as n_verdicts,
        sum(incident_verdicts.is_verdict_right) as n_verdicts_right
    from incident_level
    left join incident_verdicts
        on
            incident_level.detector = incident_verdicts.detector
            and incident_level.incident_id = incident_verdicts.incident_id
    group by incident_level.detector

),

kpi_scores as (

    select
        detector,
        count(*) as n_incident_kpis,
        sum(case when is_scorable then 1 else 0 end) as n_scorable,
        sum(case when is_detected then 1 else 0 end) as n_detected
    from evaluated
    group by detector

),

joined as (

    select
        false_alarms.detector,
        {%- for count in counts if count not in ('n_clean_series_days', 'n_false_alarms') %}
            coalesce({{ count }}, 0) as {{ count }},
        {%- endfor %}
        coalesce(incident_scores.n_verdicts, 0) as n_verdicts,
        coalesce(incident_scores.n_verdicts_right, 0) as n_verdicts_right,
        coalesce(incident_scores.n_within_one_day, 0) as n_within_one_day,
        false_alarms.n_clean_series_days,
        coalesce(false_alarms.n_false_alarms, 0) as n_false_alarms
    from false_alarms
    left join incident_scores
        on false_alarms.detector = incident_scores.detector
    left join kpi_scores
        on false_alarms.detector = kpi_scores.detector
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
