{#- Raw quality counts of the game-event log per (signal_date, slice), one row per signal:
    the numerators and denominators quality_signals_daily turns into signals. Defects are
    counted on staging (every raw row, quarantined ones included, before dedup and event-name
    normalisation); the event mix and the bot share are read from fct_game_events (deduped,
    names normalised, bots flagged), so they measure what the KPIs are computed from.
    signal_date = the event's UTC day (ingestion day when the event time is missing). -#}
{%- set slice_dimensions = ['platform', 'acquisition_channel'] -%}
{#- Required columns (docs/design.md), typed: null = missing, empty or unparseable. -#}
{%- set required_columns = [
    'event_id', 'user_id', 'session_id', 'event_name', 'event_at', 'platform', 'country',
    'acquisition_channel', 'install_date', 'ingested_at', 'batch_id',
] -%}
{%- set known_names = var('known_event_names') -%}
{%- set aliases = var('event_name_aliases') -%}
{%- set alias_targets = aliases.values() | unique | list -%}

with game_events as (

    select * from {{ ref('stg_game_telemetry__game_events') }}

),

facts as (

    select * from {{ ref('fct_game_events') }}

),

flagged as (

    select
        event_id,
        platform,
        acquisition_channel,
        quarantine_column,
        case
            {%- for column in required_columns %}
                when {{ column }} is null then 1
            {%- endfor %}
            else 0
        end as missing_required_row,
        case
            -- present but invalid: quarantined for another reason than a missing value or an
            -- unknown event name (that one has its own signal)
            when is_quarantined
                and quarantine_reason <> 'unknown_event_name'
                {%- for column in required_columns %}
                    and {{ column }} is not null
                {%- endfor %}
                then 1
            when install_date > event_date then 1
            else 0
        end as invalid_value_row,
        case
            when event_name not in (
                    {%- for name in known_names + (aliases.keys() | list) -%}
                        '{{ name }}'{% if not loop.last %}, {% endif %}
                    {%- endfor -%}
                ) then 1
            else 0
        end as unknown_event_name_row,
        {%- for target in alias_targets %}
            case
                when event_name in (
                        {%- for alias, name in aliases.items() if name == target -%}
                            '{{ alias }}'{% if not loop.last %}, {% endif %}
                        {%- endfor -%}
                    ) then 1
                else 0
            end as {{ target }}_alias_row,
            case
                when event_name = '{{ target }}' then 1
                else 0
            end as {{ target }}_canonical_row,
        {%- endfor %}
        case when event_name = 'purchase' then 1 else 0 end as purchase_row,
        case when event_name = 'purchase' and revenue_usd < 0 then 1 else 0 end
            as negative_revenue_row,
        case
            when event_at > {{ dbt.dateadd(
                'minute', var('quality_future_tolerance_minutes', 60), 'ingested_at'
            ) }} then 1
            else 0
        end as future_timestamp_row,
        case
            when ingested_at > {{ dbt.dateadd(
                'hour', var('quality_late_hours', 24), 'event_at'
            ) }} then 1
            else 0
        end as late_arrival_row,
        -- LT05 waived: dbt.datediff renders this line past 100 characters
        {{ dbt.datediff('event_at', 'ingested_at', 'second') }} / 3600.0 -- noqa: LT05
            as ingestion_lag_hours,
        coalesce(event_date, cast(ingested_at as date)) as signal_date
    from game_events

),

slice_dimensions as (

    select 'all' as slice_dimension
    {%- for dimension in slice_dimensions %}
        union all
        select '{{ dimension }}' as slice_dimension
    {%- endfor %}

),

sliced as (

    select
        flagged.*,
        slice_dimensions.slice_dimension,
        case slice_dimensions.slice_dimension
            when 'all' then 'all'
            {%- for dimension in slice_dimensions %}
                when '{{ dimension }}' then flagged.{{ dimension }}
            {%- endfor %}
        end as slice_value
    from flagged
    cross join slice_dimensions
    where flagged.signal_date is not null

),

facts_sliced as (

    select
        facts.user_id,
        facts.session_id,
        facts.event_name,
        facts.is_bot,
        facts.event_date as signal_date,
        slice_dimensions.slice_dimension,
        case slice_dimensions.slice_dimension
            when 'all' then 'all'
            {%- for dimension in slice_dimensions %}
                when '{{ dimension }}' then facts.{{ dimension }}
            {%- endfor %}
        end as slice_value
    from facts
    cross join slice_dimensions

),

missing_columns as (

    -- the column most often missing per day and slice, for the signal's detail text
    select
        signal_date,
        slice_dimension,
        slice_value,
        quarantine_column,
        row_number() over (
            partition by signal_date, slice_dimension, slice_value
            order by count(*) desc, quarantine_column
        ) as column_rank
    from sliced
    where missing_required_row = 1
    group by signal_date, slice_dimension, slice_value, quarantine_column

),

profiled_slices as (

    select
        signal_date,
        slice_dimension,
        slice_value,
        count(*) as row_count,
        count(event_id) - count(distinct event_id) as duplicate_id_rows,
        sum(missing_required_row) as missing_required_rows,
        sum(invalid_value_row) as invalid_value_rows,
        sum(unknown_event_name_row) as unknown_event_name_rows,
        {%- for target in alias_targets %}
            sum({{ target }}_alias_row) as {{ target }}_alias_rows,
            sum({{ target }}_alias_row + {{ target }}_canonical_row) as {{ target }}_any_name_rows,
        {%- endfor %}
        sum(purchase_row) as purchase_rows,
        sum(negative_revenue_row) as negative_revenue_rows,
        sum(future_timestamp_row) as future_timestamp_rows,
        sum(late_arrival_row) as late_arrival_rows,
        {{ percentile_cont('ingestion_lag_hours', 0.95) }} as ingestion_lag_p95_hours
    from sliced
    where slice_value is not null
    group by signal_date, slice_dimension, slice_value

),

activity_slices as (

    select
        signal_date,
        slice_dimension,
        slice_value,
        -- `users` is the established column name read by the measures below; RF04 waived
        count(distinct user_id) as users, -- noqa: RF04
        count(distinct case when is_bot then user_id end) as bot_users,
        count(distinct case when not is_bot then session_id end) as human_sessions,
        sum(case when not is_bot and event_name = 'purchase' then 1 else 0 end)
            as human_purchases,
        sum(case when not is_bot and event_name = 'level_complete' then 1 else 0 end)
            as human_level_completes
    from facts_sliced
    where slice_value is not null
    group by signal_date, slice_dimension, slice_value

),

slice_values as (

    select distinct
        slice_dimension,
        slice_value
    from profiled_slices

),

slice_days as (

    -- every slice on every day of the log, so a slice that went silent shows as zero rows
    select
        dates.signal_date,
        slices.slice_dimension,
        slices.slice_value
    from (select distinct signal_date from profiled_slices) as dates
    cross join slice_values as slices

),

profiled as (

    select
        slice_days.signal_date,
        slice_days.slice_dimension,
        slice_days.slice_value,
        coalesce(profiled_slices.row_count, 0) as row_count,
        coalesce(profiled_slices.duplicate_id_rows, 0) as duplicate_id_rows,
        coalesce(profiled_slices.missing_required_rows, 0) as missing_required_rows,
        coalesce(profiled_slices.invalid_value_rows, 0) as invalid_value_rows,
        coalesce(profiled_slices.unknown_event_name_rows, 0) as unknown_event_name_rows,
        {%- for target in alias_targets %}
            coalesce(profiled_slices.{{ target }}_alias_rows, 0) as {{ target }}_alias_rows,
            coalesce(profiled_slices.{{ target }}_any_name_rows, 0) as {{ target }}_any_name_rows,
        {%- endfor %}
        coalesce(profiled_slices.purchase_rows, 0) as purchase_rows,
        coalesce(profiled_slices.negative_revenue_rows, 0) as negative_revenue_rows,
        coalesce(profiled_slices.future_timestamp_rows, 0) as future_timestamp_rows,
        coalesce(profiled_slices.late_arrival_rows, 0) as late_arrival_rows,
        profiled_slices.ingestion_lag_p95_hours,
        dataset_totals.row_count as dataset_row_count,
        coalesce(activity_slices.users, 0) as users, -- noqa: RF04
        coalesce(activity_slices.bot_users, 0) as bot_users,
        coalesce(activity_slices.human_sessions, 0) as human_sessions,
        coalesce(activity_slices.human_purchases, 0) as human_purchases,
        coalesce(activity_slices.human_level_completes, 0) as human_level_completes,
        dataset_activity.human_sessions - coalesce(activity_slices.human_sessions, 0)
            as rest_human_sessions,
        dataset_activity.human_purchases - coalesce(activity_slices.human_purchases, 0)
            as rest_human_purchases
    from slice_days
    left join profiled_slices
        on
            slice_days.signal_date = profiled_slices.signal_date
            and slice_days.slice_dimension = profiled_slices.slice_dimension
            and slice_days.slice_value = profiled_slices.slice_value
    inner join profiled_slices as dataset_totals
        on
            slice_days.signal_date = dataset_totals.signal_date
            and dataset_totals.slice_dimension = 'all'
    left join activity_slices
        on
            slice_days.signal_date = activity_slices.signal_date
            and slice_days.slice_dimension = activity_slices.slice_dimension
            and slice_days.slice_value = activity_slices.slice_value
    left join activity_slices as dataset_activity
        on
            slice_days.signal_date = dataset_activity.signal_date
            and dataset_activity.slice_dimension = 'all'

),

unpivoted as (

    {%- set measures = [
        ('required_field_null_rate', 'rows', 'missing_required_rows', 'row_count'),
        ('invalid_value_rate', 'rows', 'invalid_value_rows', 'row_count'),
        ('unknown_event_name_rate', 'event_name', 'unknown_event_name_rows', 'row_count'),
        ('negative_revenue_rate', 'revenue_usd', 'negative_revenue_rows', 'purchase_rows'),
        ('duplicate_id_rate', 'event_id', 'duplicate_id_rows', 'row_count'),
        ('future_timestamp_rate', 'rows', 'future_timestamp_rows', 'row_count'),
        ('late_arrival_rate', 'rows', 'late_arrival_rows', 'row_count'),
        ('ingestion_lag_p95_hours', 'rows', 'ingestion_lag_p95_hours', none),
        ('row_count_robust_z', 'rows', 'row_count', none),
        ('slice_share_ratio', 'rows', 'row_count', 'dataset_row_count'),
        ('bot_user_share', 'user_id', 'bot_users', 'users'),
        ('purchases_per_session_ratio', 'event_name=purchase', 'human_purchases', 'human_sessions'),
        ('level_completes_per_session_ratio', 'event_name=level_complete',
            'human_level_completes', 'human_sessions'),
        ('purchase_mix_vs_rest_ratio', 'event_name=purchase', 'human_purchases',
            'human_sessions * rest_human_purchases / nullif(rest_human_sessions, 0)'),
    ] %}
    {%- for target in alias_targets %}
        {%- do measures.append(
            ('event_name_alias_rate', 'event_name=' ~ target,
                target ~ '_alias_rows', target ~ '_any_name_rows')
        ) %}
    {%- endfor %}
    {%- for signal_name, scope, numerator, denominator in measures %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            profiled.signal_date,
            profiled.slice_dimension,
            profiled.slice_value,
            '{{ signal_name }}' as signal_name,
            '{{ scope }}' as scope,
            {%- if signal_name == 'required_field_null_rate' %}
                missing_columns.quarantine_column as detail_context,
            {%- else %}
                cast(null as {{ dbt.type_string() }}) as detail_context,
            {%- endif %}
            profiled.row_count as sample_rows,
            cast({{ numerator }} as {{ type_double() }}) as numerator,
            {%- if denominator is none %}
                cast(null as {{ type_double() }}) as denominator
            {%- else %}
                cast({{ denominator }} as {{ type_double() }}) as denominator
            {%- endif %}
        from
            profiled
        {%- if signal_name == 'required_field_null_rate' %}
        left join missing_columns
            on
                profiled.signal_date = missing_columns.signal_date
                and profiled.slice_dimension = missing_columns.slice_dimension
                and profiled.slice_value = missing_columns.slice_value
                and missing_columns.column_rank = 1
        {%- endif %}
    {%- if signal_name == 'slice_share_ratio' %}
            where profiled.slice_dimension <> 'all'
        {%- elif signal_name == 'purchase_mix_vs_rest_ratio' %}
    -- event tracking breaks per client build, i.e. per platform; the event mix by
    -- acquisition channel swings with a few big spenders and says nothing about tracking
            where profiled.slice_dimension = 'platform'
        {%- elif signal_name in (
            'purchases_per_session_ratio', 'level_completes_per_session_ratio'
        ) %}
            where profiled.slice_dimension in ('all', 'platform')
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        'game_events' as dataset,
        slice_dimension,
        slice_value,
        signal_name,
        scope,
        detail_context,
        sample_rows,
        numerator,
        denominator,
        signal_date
    from unpivoted

)

select * from final
