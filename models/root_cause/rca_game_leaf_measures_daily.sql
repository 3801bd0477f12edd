{#- The game leaf cube's actual measures: one row per event_date x platform x country x
    acquisition_channel x install_week (the install cohort by age: weeks since install, '0' to
    '11' and '12+') for every leaf
    with activity in the human (not bot) events of fct_game_events (a leaf-day without a row
    had none: rca_game_leaves_daily fills those zeros in). The additive measures every game KPI is built from,
    with game_kpis_daily's formulas per leaf: dau, new_users (first event in the log on the day),
    d1_retained_users (of them, active the next day), sessions, purchasers, purchases,
    revenue_usd, levels_completed. A user's attributes are fixed, so distinct-user counts add up
    over leaves to the day's total. -#}
{%- set leaf_columns = ['platform', 'country', 'acquisition_channel', 'install_week'] -%}

with events as (

    select
        event_date,
        coalesce(platform, '(null)') as platform,
        coalesce(country, '(null)') as country,
        coalesce(acquisition_channel, '(null)') as acquisition_channel,
        -- the install cohort by age: weeks since install on the day, 12 and older together
        -- ('12+'); by calendar week every day would start a leaf with no history
        coalesce(
            case
                when {{ dbt.datediff('install_date', 'event_date', 'day') }} >= 84 then '12+'
                when {{ dbt.datediff('install_date', 'event_date', 'day') }} < 0 then '(invalid)'
                else cast(
                    floor({{ dbt.datediff('install_date', 'event_date', 'day') }} / 7) as integer
                ) || ''
            end,
            '(null)'
        ) as install_week,
        user_id,
        event_name,
        revenue_usd
    from {{ ref('fct_game_events') }}
    where not is_bot and event_date is not null

),

first_days as (

    select
        user_id,
        min(event_date) as first_event_date
    from events
    where user_id is not null
    group by user_id

),

active_days as (

    select distinct
        user_id,
        event_date
    from events
    where user_id is not null

),

user_days as (

    select
        events.event_date,
        {{ leaf_columns | join(', ') }},
        events.user_id,
        max(case when first_days.first_event_date = events.event_date then 1 else 0 end)
            as is_new,
        max(case when next_day.user_id is not null then 1 else 0 end) as is_back_next_day,
        sum(case when events.event_name = 'session_start' then 1 else 0 end) as sessions,
        sum(case when events.event_name = 'purchase' then 1 else 0 end) as purchases,
        sum(case when events.event_name = 'purchase' then events.revenue_usd else 0 end)
            as revenue_usd,
        sum(case when events.event_name = 'level_complete' then 1 else 0 end) as levels_completed
    from events
    left join first_days on events.user_id = first_days.user_id
    left join active_days as next_day
        on
            events.user_id = next_day.user_id
            and next_day.event_date = {{ dbt.dateadd('day', 1, 'events.event_date') }}
    group by events.event_date, {{ leaf_columns | join(', ') }}, events.user_id

),

leaf_days as (

    select
        event_date,
        {{ leaf_columns | join(', ') }},
        count(user_id) as dau,
        sum(is_new) as new_users,
        sum(is_new * is_back_next_day) as d1_retained_users,
        sum(sessions) as sessions,
        sum(case when purchases > 0 then 1 else 0 end) as purchasers,
        sum(purchases) as purchases,
        sum(revenue_usd) as revenue_usd,
        sum(levels_completed) as levels_completed
    from user_days
    group by event_date, {{ leaf_columns | join(', ') }}

),

final as (

    select * from leaf_days

)

select * from final
