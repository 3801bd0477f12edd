{#- Daily game KPIs of `relation` (columns event_date, user_id, session_id, event_name,
    revenue_usd and each dimension) at day x dimension for every name in `dimensions`, plus the
    whole day as 'all'. Used for the adjusted mart (fct_game_events without bot days) and for
    kpi_daily's reported figures (naive rows), so both share one formula:
    - dau: distinct users with any event; sessions: session_start events; purchases: purchase
      events; purchasers: distinct users with a purchase; revenue_usd: sum over purchases;
      levels_completed: level_complete events.
    - new_users: users whose first event in `relation` is on the day (in that slice);
      d1_retained_users: those of them with any event on the next day; d1_retention their
      share. Both null while the next day is not in the data (day >= the last event date).
    First-activity dates use every row of `relation`; `start_date` (SQL expression) only limits
    the days computed. The events are first summed per user, day and slice; each metric is then
    one aggregation of those user-days over every dimension at once (GROUPING SETS,
    macros/marts/dimension_grouping_sets.sql), not one copy of the rows per dimension. -#}
{% macro game_daily_kpis(relation, dimensions, start_date=none) -%}

    with all_events as (

        select * from {{ relation }}
        where event_date is not null

    ),

    window_events as (

        select * from all_events
        {%- if start_date is not none %}
        where event_date >= {{ start_date }}
        {%- endif %}

    ),

    last_event_date as (

        select max(event_date) as max_event_date from all_events

    ),

    user_first_days as (

        select
            user_id,
            min(event_date) as first_event_date
        from all_events
        where user_id is not null
        group by user_id

    ),

    user_days as (

        select distinct
            user_id,
            event_date
        from all_events
        where user_id is not null

    ),

    -- one row per user, day and slice first (several events each): the distinct counts over
    -- every grouping set and the first-day join below then read user-days, not events
    user_day_events as (

        select
            event_date,
            {%- for dimension in dimensions %}
            {{ dimension }},
            {%- endfor %}
            user_id,
            sum(case when event_name = 'session_start' then 1 else 0 end) as sessions,
            sum(case when event_name = 'purchase' then 1 else 0 end) as purchases,
            sum(case when event_name = 'purchase' then revenue_usd end) as revenue_usd,
            sum(case when event_name = 'level_complete' then 1 else 0 end) as levels_completed
        from window_events
        group by event_date, {% for dimension in dimensions %}{{ dimension }}, {% endfor %}user_id

    ),

    event_metrics as (

        select
            event_date,
            {{ grouping_dimension_name(dimensions) }} as dimension_name,
            {{ grouping_dimension_value(dimensions) }} as dimension_value,
            count(distinct user_id) as dau,
            cast(sum(sessions) as {{ dbt.type_bigint() }}) as sessions,
            count(distinct case when purchases > 0 then user_id end) as purchasers,
            cast(sum(purchases) as {{ dbt.type_bigint() }}) as purchases,
            coalesce(sum(revenue_usd), 0) as revenue_usd,
            cast(sum(levels_completed) as {{ dbt.type_bigint() }}) as levels_completed
        from user_day_events
        group by {{ dimension_grouping_sets('event_date', dimensions) }}
        having {{ grouping_dimension_not_null(dimensions) }}

    ),

    -- each user-day-slice of a user on their first day, with whether they came back the next day
    first_day_events as (

        select
            user_day_events.event_date,
            {%- for dimension in dimensions %}
            user_day_events.{{ dimension }},
            {%- endfor %}
            user_day_events.user_id,
            next_days.user_id as retained_user_id
        from user_day_events
        inner join user_first_days
            on
                user_day_events.user_id = user_first_days.user_id
                and user_day_events.event_date = user_first_days.first_event_date
        left join user_days as next_days
            on
                user_day_events.user_id = next_days.user_id
                and next_days.event_date = cast({{ dbt.dateadd('day', 1, 'user_day_events.event_date') }} as date)

    ),

    cohort_metrics as (

        select
            event_date,
            {{ grouping_dimension_name(dimensions) }} as dimension_name,
            {{ grouping_dimension_value(dimensions) }} as dimension_value,
            count(distinct user_id) as new_users,
            count(distinct retained_user_id) as d1_retained_users
        from first_day_events
        group by {{ dimension_grouping_sets('event_date', dimensions) }}
        having {{ grouping_dimension_not_null(dimensions) }}

    ),

    combined as (

        select
            event_metrics.event_date,
            event_metrics.dimension_name,
            event_metrics.dimension_value,
            event_metrics.dau,
            coalesce(cohort_metrics.new_users, 0) as new_users,
            event_metrics.sessions,
            event_metrics.purchasers,
            event_metrics.purchases,
            event_metrics.revenue_usd,
            event_metrics.levels_completed,
            coalesce(cohort_metrics.d1_retained_users, 0) as d1_retained_users,
            event_metrics.event_date >= last_event_date.max_event_date as is_d1_incomplete
        from event_metrics
        cross join last_event_date
        left join cohort_metrics
            on
                event_metrics.event_date = cohort_metrics.event_date
                and event_metrics.dimension_name = cohort_metrics.dimension_name
                and event_metrics.dimension_value = cohort_metrics.dimension_value

    )

    select
        event_date,
        dimension_name,
        dimension_value,
        dau,
        new_users,
        sessions,
        purchasers,
        purchases,
        revenue_usd,
        levels_completed,
        case when not is_d1_incomplete then d1_retained_users end as d1_retained_users,
        cast(purchasers as {{ type_double() }}) / nullif(dau, 0) as conversion_rate,
        revenue_usd / nullif(dau, 0) as arpdau,
        revenue_usd / nullif(purchasers, 0) as arppu,
        case
            when not is_d1_incomplete
                then cast(d1_retained_users as {{ type_double() }}) / nullif(new_users, 0)
        end as d1_retention
    from combined
{%- endmacro %}
