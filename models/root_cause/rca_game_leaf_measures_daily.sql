{#- The game leaf cube's actual measures: one row per value_basis x event_date x platform x
    country x acquisition_channel x install_week (the install cohort by age: weeks since
    install, '0' to '11' and '12+') for every leaf with activity (a leaf-day without a row had
    none: rca_game_leaves_daily fills those zeros in). value_basis 'adjusted': the human (not bot) events of fct_game_events, as
    kpi_daily.value; 'reported': the raw events as a naive query sees them
    (int_game_events_reported, behind value_reported; install date from fct_game_events). The
    additive measures every game KPI is built from, with game_kpis_daily's formulas per leaf: dau, new_users (first event in the log on the day),
    d1_retained_users (of them, active the next day), sessions, purchasers, purchases,
    revenue_usd, levels_completed. A user's attributes are fixed, so distinct-user counts add up
    over leaves to the day's total. -#}
{%- set leaf_columns = ['platform', 'country', 'acquisition_channel', 'install_week'] -%}
{#- incremental by day on DuckDB, as the marts: the last var('lookback_days') days again; first
    days and install dates still come from every row -#}
{%- set start = incremental_lookback_start('event_date') if is_incremental() else none -%}

with installs as (

    -- a user's install date (the reported log does not carry it); bots included
    select
        user_id,
        min(install_date) as install_date
    from {{ ref('fct_game_events') }}
    where user_id is not null
    group by user_id

),

basis_events as (

    select
        'adjusted' as value_basis,
        event_date,
        platform,
        country,
        acquisition_channel,
        install_date,
        user_id,
        event_name,
        revenue_usd
    from {{ ref('fct_game_events') }}
    where not is_bot and event_date is not null

    union all

    select
        'reported' as value_basis,
        reported.event_date,
        reported.platform,
        reported.country,
        reported.acquisition_channel,
        installs.install_date,
        reported.user_id,
        reported.event_name,
        reported.revenue_usd
    from {{ ref('int_game_events_reported') }} as reported
    left join installs on reported.user_id = installs.user_id
    where reported.event_date is not null

),

aged_events as (

    select
        *,
        {{ dbt.datediff('install_date', 'event_date', 'day') }} as days_since_install  -- noqa: LT05
    from basis_events

),

events as (

    select
        value_basis,
        event_date,
        coalesce(platform, '(null)') as platform,
        coalesce(country, '(null)') as country,
        coalesce(acquisition_channel, '(null)') as acquisition_channel,
        -- the install cohort by age: weeks since install on the day, 12 and older together
        -- ('12+'); by calendar week every day would start a leaf with no history
        coalesce(
            case
                when days_since_install >= 84 then '12+'
                when days_since_install < 0 then '(invalid)'
                else cast(cast(floor(days_since_install / 7) as integer) as {{ dbt.type_string() }})
            end,
            '(null)'
        ) as install_week,
        user_id,
        event_name,
        revenue_usd
    from aged_events

),

first_days as (

    select
        value_basis,
        user_id,
        min(event_date) as first_event_date
    from basis_events
    where user_id is not null
    group by value_basis, user_id

),

computed_events as (

    select * from events
    {%- if start is not none %}
        where event_date >= {{ start }}
    {%- endif %}

),

active_days as (

    select distinct
        value_basis,
        user_id,
        event_date
    from computed_events
    where user_id is not null

),

user_day_events as (

    -- one row per user-day-leaf first: the joins below then run on user-days, not events
    select
        value_basis,
        event_date,
        {{ leaf_columns | join(', ') }},
        user_id,
        sum(case when event_name = 'session_start' then 1 else 0 end) as sessions,
        sum(case when event_name = 'purchase' then 1 else 0 end) as purchases,
        sum(case when event_name = 'purchase' then revenue_usd else 0 end) as revenue_usd,
        sum(case when event_name = 'level_complete' then 1 else 0 end) as levels_completed
    from computed_events
    group by value_basis, event_date, {{ leaf_columns | join(', ') }}, user_id

),

user_days as (

    -- first_days has one row per user, active_days one per user-day: no row is repeated
    select
        user_day_events.*,
        case
            when first_days.first_event_date = user_day_events.event_date then 1 else 0
        end as is_new,
        case when next_day.user_id is not null then 1 else 0 end as is_back_next_day
    from user_day_events
    left join first_days
        on
            user_day_events.value_basis = first_days.value_basis
            and user_day_events.user_id = first_days.user_id
    left join active_days as next_day
        on
            user_day_events.value_basis = next_day.value_basis
            and user_day_events.user_id = next_day.user_id
            and next_day.event_date = {{ dbt.dateadd('day', 1, 'user_day_events.event_date') }}

),

leaf_days as (

    select
        value_basis,
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
    group by value_basis, event_date, {{ leaf_columns | join(', ') }}

),

final as (

    select * from leaf_days

)

select * from final
