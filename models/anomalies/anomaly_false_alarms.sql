{#- False alarms per detector on total series ('all' slice, both bases) on clean days: scored
    days no labelled incident of the dataset touches. A consensus level's alarm is its alarm
    column; a detector's alarm is the first day of a run of its flags. One row per detector
    (macro anomaly_alarm_signals); read by anomaly_metrics. -#}
{%- set signals = anomaly_alarm_signals() -%}

with incidents as (

    select distinct
        dataset,
        start_at,
        end_at
    from {{ ref('trust_incident_kpis') }}

),

totals as (

    select
        kpi_name,
        dataset,
        status,
        {%- for name, column in signals.items() %}
            {%- if name.startswith('consensus') %}
                {{ column }} as alarm_{{ name }},
            {%- else %}
                {{ column }} and not coalesce(lag({{ column }}) over (
                    partition by kpi_name, value_basis
                    order by kpi_date
                ), false) as alarm_{{ name }},
            {%- endif %}
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

    {%- for name in signals %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ name }}' as detector,
            count(*) as n_clean_series_days,
            sum(case when alarm_{{ name }} then 1 else 0 end) as n_false_alarms
        from clean_days
    {%- endfor %}

)

select * from false_alarms
