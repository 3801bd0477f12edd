{#- A log that has data on days before and after a day, but none on it, lost that whole day
    (an export or a partition that never arrived): no KPI row exists for such a day, so no
    trust score can say it is broken. Warns with one row per (dataset, missing_day). Days are
    the rows' attributed days (quarantined rows included: a day of only bad rows is not lost). -#}
{{ config(severity = 'warn') }}

{%- set logs = {
    'api_calls': 'stg_api_gateway__api_calls',
    'game_events': 'stg_game_telemetry__game_events',
} %}

with
{%- for dataset, model in logs.items() %}

    {{ dataset }}_days as (

        select distinct attributed_date as log_day
        from {{ ref(model) }}
        where attributed_date is not null

    ),

    {{ dataset }}_bounds as (

        select
            min(log_day) as first_day,
            max(log_day) as last_day
        from {{ dataset }}_days

    ),

    {{ dataset }}_missing as (

        select
            '{{ dataset }}' as dataset,
            spine.spine_day as missing_day
        from ({{ day_spine(dataset ~ '_bounds', 'first_day', 'last_day') }}) as spine
        left join {{ dataset }}_days
            on spine.spine_day = {{ dataset }}_days.log_day
        where {{ dataset }}_days.log_day is null

    ),
{%- endfor %}

final as (

    {%- for dataset in logs %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select * from {{ dataset }}_missing
    {%- endfor %}

)

select * from final
