{#- The event loss tests' counts: one row per event type (purchase, level_complete) x slice x
    day of the game log, every slice on every day of the log (zeros when silent): human
    (non-bot, deduplicated) sessions and events of the type in the slice, and the same for the
    rest of the dataset that day (the 'all' row minus the slice). Read by int_event_loss_tests.
    Incremental (DuckDB): a run counts again the days from `since` on (profile_days_start). -#}
{%- set dimensions = var('quality_slice_dimensions')['game_events'] -%}
{%- set event_types = ['purchase', 'level_complete'] -%}
{%- set human_events = (
    '(select * from ' ~ ref('int_game_events_bot_flagged') ~ ' where not is_bot)'
) -%}
{%- set since = profile_days_start(
    'event_date', {none: ref('stg_game_telemetry__game_events')}, human_events, dimensions
) -%}

with facts as (

    select
        session_id,
        event_name,
        {{ dimensions | join(', ') }},
        event_date
    from {{ human_events }} as human_events
    {%- if since %}
        where event_date >= date '{{ since }}'
    {%- endif %}

),

slice_days as (

    select
        {{ grouping_dimension_name(dimensions) }} as slice_dimension,
        {{ grouping_dimension_value(dimensions) }} as slice_value,
        event_date,
        {%- for event_type in event_types %}
            sum(case when event_name = '{{ event_type }}' then 1 else 0 end)
                as {{ event_type }}_events,
        {%- endfor %}
        count(distinct session_id) as sessions
    from facts
    group by {{ dimension_grouping_sets('event_date', dimensions) }}  -- noqa: PRS
    having {{ grouping_dimension_not_null(dimensions, 'slice_value') }}

),

grid as (

    {{ slice_day_grid('slice_days', 'event_date', this if since else none) }}

),

counts as (

    {#- one row per event type x slice x day, with the rest of the dataset beside it #}
    {%- for event_type in event_types %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ event_type }}' as event_type,
            grid.slice_dimension,
            grid.slice_value,
            coalesce(slice_days.sessions, 0) as sessions,
            coalesce(slice_days.{{ event_type }}_events, 0) as events,
            totals.sessions - coalesce(slice_days.sessions, 0) as rest_sessions,
            totals.{{ event_type }}_events - coalesce(slice_days.{{ event_type }}_events, 0)
                as rest_events,
            grid.event_date,
            {{ staged_log_start(ref('stg_game_telemetry__game_events')) }} as log_first_ingested_at
        from grid
        left join slice_days
            on
                grid.slice_dimension = slice_days.slice_dimension
                and grid.slice_value = slice_days.slice_value
                and grid.event_date = slice_days.event_date
        inner join slice_days as totals
            on grid.event_date = totals.event_date and totals.slice_dimension = 'all'
    {%- endfor %}

)

select * from counts
