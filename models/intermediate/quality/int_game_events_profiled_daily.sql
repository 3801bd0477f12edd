{#- Raw quality counts of the game-event log per (signal_date, slice), one row per rate signal:
    the numerators and denominators quality_signals_daily turns into signals. Defects are
    counted on staging (every raw row, quarantined ones included, before dedup and event-name
    normalisation); the bot share from int_game_events_bot_flagged (the rows fct_game_events
    and the KPIs are built from).
    signal_date = the row's attributed day: its event day, or its ingestion day when the event
    time is missing or implausible (the day that lost the row). Slices: every KPI dimension.
    The rows' defect flags come from int_game_events_flagged.
    Incremental (DuckDB): a run profiles again the days from `since` on (profile_days_start). -#}
{%- set slice_dimensions = var('quality_slice_dimensions')['game_events'] -%}
{%- set aliases = var('event_name_aliases') -%}
{%- set alias_targets = aliases.values() | unique | list -%}
{%- set flagged_rows = ref('int_game_events_flagged') -%}
{%- set since = profile_days_start(
    'signal_date', {'game_events': ref('stg_game_telemetry__game_events')}, flagged_rows,
    slice_dimensions,
) -%}

with flagged as (

    -- every raw row with its defect flags
    select * from {{ flagged_rows }}
    {{ profile_rows_since(since, 'signal_date', 'recorded_date') }}

),

facts as (

    select * from {{ ref('int_game_events_bot_flagged') }}
    {%- if since %}
        where event_date >= date '{{ since }}'
    {%- endif %}

),

dated as (

    select * from flagged
    where signal_date is not null{% if since %} and signal_date >= date '{{ since }}'{% endif %}

),

repeated_ids as (

    {{ repeated_ids('dated', 'event_id', 'signal_date') }}

),

dated_ids as (

    {{ with_repeated_ids('dated', 'repeated_ids', 'event_id', 'signal_date') }}

),

missing_columns as (

    -- the column most often missing per day and slice, for the signal's detail text
    {{ missing_column_ranks('dated', slice_dimensions) }}  -- noqa: PRS

),

profiled_slices as (

    select
        signal_date,
        {{ grouping_dimension_name(slice_dimensions) }} as slice_dimension,
        {{ grouping_dimension_value(slice_dimensions) }} as slice_value,
        count(*) as row_count,
        count(repeated_event_id) - count(distinct repeated_event_id) as duplicate_id_rows,
        sum(missing_required_row) as missing_required_rows,
        sum(invalid_value_row) as invalid_value_rows,
        sum(unknown_event_name_row) as unknown_event_name_rows,
        sum(unknown_category_row) as unknown_category_rows,
        {%- for target in alias_targets %}
            sum({{ target }}_alias_row) as {{ target }}_alias_rows,
            sum({{ target }}_alias_row + {{ target }}_canonical_row) as {{ target }}_any_name_rows,
        {%- endfor %}
        sum(purchase_row) as purchase_rows,
        sum(negative_revenue_row) as negative_revenue_rows,
        sum(implausible_timestamp_row) as implausible_timestamp_rows,
        sum(late_arrival_row) as late_arrival_rows,
        {{ percentile_cont('ingestion_lag_hours', 0.95) }} as ingestion_lag_p95_hours
    from dated_ids
    group by {{ dimension_grouping_sets('signal_date', slice_dimensions) }}  -- noqa: PRS
    having {{ grouping_dimension_not_null(slice_dimensions, 'slice_value') }}

),

user_days as (

    -- one row per user, day and slice (several events each) before the distinct counts
    select
        event_date,
        {{ slice_dimensions | join(', ') }},
        user_id,
        max(case when is_bot then 1 else 0 end) as is_bot_user
    from facts
    group by event_date, {{ slice_dimensions | join(', ') }}, user_id

),

bot_slices as (

    select
        event_date as signal_date,
        {{ grouping_dimension_name(slice_dimensions) }} as slice_dimension,
        {{ grouping_dimension_value(slice_dimensions) }} as slice_value,
        count(distinct user_id) as user_count,
        count(distinct case when is_bot_user = 1 then user_id end) as bot_users
    from user_days
    group by {{ dimension_grouping_sets('event_date', slice_dimensions) }}  -- noqa: PRS
    having {{ grouping_dimension_not_null(slice_dimensions, 'slice_value') }}

),

recorded_elsewhere as (

    {{ implausible_rows_on_recorded_day('flagged', slice_dimensions, since) }}  -- noqa: PRS

),

slice_days as (

    -- every slice on every day of the log, so a slice that went silent shows as zero rows
    {{ slice_day_grid('profiled_slices', 'signal_date', this if since else none) }}

),

profiled as (

    select
        slice_days.signal_date,
        slice_days.slice_dimension,
        slice_days.slice_value,
        {%- for column in [
            'row_count', 'duplicate_id_rows', 'missing_required_rows', 'invalid_value_rows',
            'unknown_event_name_rows', 'purchase_rows', 'negative_revenue_rows',
            'late_arrival_rows', 'unknown_category_rows',
        ] %}
            coalesce(profiled_slices.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        {%- for target in alias_targets %}
            coalesce(profiled_slices.{{ target }}_alias_rows, 0) as {{ target }}_alias_rows,
            coalesce(profiled_slices.{{ target }}_any_name_rows, 0) as {{ target }}_any_name_rows,
        {%- endfor %}
        coalesce(profiled_slices.implausible_timestamp_rows, 0)
        + coalesce(recorded_elsewhere.recorded_implausible_rows, 0) as implausible_timestamp_rows,
        profiled_slices.ingestion_lag_p95_hours,
        coalesce(bot_slices.user_count, 0) as user_count,
        coalesce(bot_slices.bot_users, 0) as bot_users
    from slice_days
    left join profiled_slices
        on {{ same_slice_day('slice_days', 'profiled_slices') }}
    left join recorded_elsewhere
        on {{ same_slice_day('slice_days', 'recorded_elsewhere') }}
    left join bot_slices
        on {{ same_slice_day('slice_days', 'bot_slices') }}

),

{%- set measures = [
    ('required_field_null_rate', 'rows', 'missing_required_rows', 'row_count'),
    ('invalid_value_rate', 'rows', 'invalid_value_rows', 'row_count'),
    ('unknown_event_name_rate', 'event_name', 'unknown_event_name_rows', 'row_count'),
    ('unknown_category_rate', 'rows', 'unknown_category_rows', 'row_count'),
    ('negative_revenue_rate', 'revenue_usd', 'negative_revenue_rows', 'purchase_rows'),
    ('duplicate_id_rate', 'event_id', 'duplicate_id_rows', 'row_count'),
    ('implausible_timestamp_rate', 'rows', 'implausible_timestamp_rows', 'row_count'),
    ('late_arrival_rate', 'rows', 'late_arrival_rows', 'row_count'),
    ('ingestion_lag_p95_hours', 'rows', 'ingestion_lag_p95_hours', none),
    ('row_count_robust_z', 'rows', 'row_count', none),
    ('bot_user_share', 'user_id', 'bot_users', 'user_count'),
] %}
{%- for target in alias_targets %}
    {%- do measures.append(
        ('event_name_alias_rate', 'event_name=' ~ target,
            target ~ '_alias_rows', target ~ '_any_name_rows')
    ) %}
{%- endfor %}

final as (

    {{ unpivot_profile_measures(
        'game_events', measures, staged_log_start(ref('stg_game_telemetry__game_events'))
    ) }}

)

select * from final
