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
    the days computed. -#}
{% macro game_daily_kpis(relation, dimensions, start_date=none) -%}
    {%- set groups = [('all', "'all'")] -%}
    {%- for dimension in dimensions -%}
        {%- do groups.append((dimension, dimension)) -%}
    {%- endfor -%}

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

    sliced_events as (
        {%- for dimension_name, dimension_expression in groups %}

        select
            event_date,
            '{{ dimension_name }}' as dimension_name,
            {{ dimension_expression }} as dimension_value,
            user_id,
            event_name,
            revenue_usd
        from window_events
        {%- if dimension_name != 'all' %}
        where {{ dimension_expression }} is not null
        {%- endif %}
        {%- if not loop.last %}

        union all
        {%- endif %}
        {%- endfor %}

    ),

    event_metrics as (

        select
            event_date,
            dimension_name,
            dimension_value,
            count(distinct user_id) as dau,
            cast(sum(case when event_name = 'session_start' then 1 else 0 end) as {{ dbt.type_bigint() }}) as sessions,
            count(distinct case when event_name = 'purchase' then user_id end) as purchasers,
            cast(sum(case when event_name = 'purchase' then 1 else 0 end) as {{ dbt.type_bigint() }}) as purchases,
            coalesce(sum(case when event_name = 'purchase' then revenue_usd end), 0) as revenue_usd,
            cast(sum(case when event_name = 'level_complete' then 1 else 0 end) as {{ dbt.type_bigint() }}) as levels_completed
        from sliced_events
        group by event_date, dimension_name, dimension_value

    ),

    cohort_users as (

        select distinct
            sliced_events.event_date,
            sliced_events.dimension_name,
            sliced_events.dimension_value,
            sliced_events.user_id
        from sliced_events
        inner join user_first_days
            on
                sliced_events.user_id = user_first_days.user_id
                and sliced_events.event_date = user_first_days.first_event_date

    ),

    cohort_metrics as (

        select
            cohort_users.event_date,
            cohort_users.dimension_name,
            cohort_users.dimension_value,
            count(*) as new_users,
            count(next_days.user_id) as d1_retained_users
        from cohort_users
        left join user_days as next_days
            on
                cohort_users.user_id = next_days.user_id
                and next_days.event_date = cast({{ dbt.dateadd('day', 1, 'cohort_users.event_date') }} as date)
        group by cohort_users.event_date, cohort_users.dimension_name, cohort_users.dimension_value

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
