{#- One row per dataset x signal_date x slice x signal (x scope): the raw measure, its
    baseline where the signal is relative, a 0-1 health and the thresholds used.
    health = 1 at or better than threshold_warn, 0 at or worse than threshold_fail, linear in
    between (direction from seeds/quality_thresholds.csv). Rebuilt as a table each run: the
    trailing baselines reach back weeks, further than any incremental lookback, and the whole
    computation is a few aggregates over the staged logs. -#}
{%- set baseline_days = var('quality_baseline_days', 14) | int -%}
{%- set min_baseline_days = var('quality_min_baseline_days', 7) | int -%}
{%- set volume_weeks = var('quality_volume_weeks', 8) | int -%}
{%- set min_volume_weeks = var('quality_min_volume_weeks', 2) | int -%}
{%- set z = var('quality_ratio_z', 1.645) | float -%}
{%- set min_expected = var('quality_min_expected_count', 15) -%}
{%- set min_rows = var('quality_min_rows', 30) | int -%}
{%- set string_type = api.Column.translate_type('string') -%}
{%- set labels = {
    'required_field_null_rate': 'rows with a required field missing',
    'invalid_value_rate': 'rows with an invalid value',
    'unknown_event_name_rate': 'events with an unknown name',
    'event_name_alias_rate': 'rows of the event logged under an alias name',
    'noncanonical_status_rate': 'calls with a non-canonical status spelling',
    'latency_unit_drift_rate': 'calls from a version reporting latency in seconds',
    'duplicate_id_rate': 'rows repeating an id of the same day',
    'negative_revenue_rate': 'purchases with negative revenue',
    'future_timestamp_rate': 'rows timed after they were ingested',
    'late_arrival_rate': 'rows ingested more than ' ~ var('quality_late_hours', 24) ~ ' h late',
    'bot_user_share': 'users flagged as bots',
    'ingestion_lag_p95_hours': 'p95 ingestion lag (hours)',
    'row_count_robust_z': 'row count',
    'slice_share_ratio': "slice's share of the dataset's rows",
    'purchases_per_session_ratio': 'purchases per human session',
    'purchase_mix_vs_rest_ratio': 'purchases per human session relative to the other slices',
    'level_completes_per_session_ratio': 'level completions per human session',
} -%}

with profiles as (

    select * from {{ ref('int_api_calls_profiled_daily') }}
    union all
    select * from {{ ref('int_game_events_profiled_daily') }}

),

thresholds as (

    select * from {{ ref('quality_thresholds') }}

),

valued as (

    select
        profiles.dataset,
        profiles.slice_dimension,
        profiles.slice_value,
        profiles.signal_name,
        profiles.scope,
        profiles.detail_context,
        thresholds.signal_category,
        thresholds.direction,
        thresholds.baseline_method,
        profiles.sample_rows,
        profiles.numerator,
        profiles.denominator,
        case
            when profiles.denominator is null then profiles.numerator
            when profiles.denominator > 0 then profiles.numerator / profiles.denominator
        end as signal_value,
        cast(thresholds.threshold_warn as {{ type_double() }}) as threshold_warn,
        cast(thresholds.threshold_fail as {{ type_double() }}) as threshold_fail,
        profiles.signal_date
    from profiles
    inner join thresholds
        on profiles.signal_name = thresholds.signal_name

),

trailing_baselines as (

    -- median of the previous days' values of the same slice and signal
    select
        today.dataset,
        today.slice_dimension,
        today.slice_value,
        today.signal_name,
        today.scope,
        today.signal_date,
        {{ percentile_cont('history.signal_value', 0.5) }} as baseline_value,
        count(history.signal_value) as baseline_days
    from valued as today
    inner join valued as history
        on
            today.dataset = history.dataset
            and today.slice_dimension = history.slice_dimension
            and today.slice_value = history.slice_value
            and today.signal_name = history.signal_name
            and today.scope = history.scope
            and history.signal_date < today.signal_date
            and history.signal_date
            >= {{ dbt.dateadd('day', -1 * baseline_days, 'today.signal_date') }}
    where today.baseline_method = 'trailing_median_ratio'
    group by 1, 2, 3, 4, 5, 6

),

weekday_history as (

    -- the same slice and signal on the previous same weekdays
    select
        today.dataset,
        today.slice_dimension,
        today.slice_value,
        today.signal_name,
        today.scope,
        today.signal_date,
        history.signal_value as history_value
    from valued as today
    inner join valued as history
        on
            today.dataset = history.dataset
            and today.slice_dimension = history.slice_dimension
            and today.slice_value = history.slice_value
            and today.signal_name = history.signal_name
            and today.scope = history.scope
            -- LT05 waived on the next line: dbt.datediff renders it past 100 characters
            -- noqa: disable=LT05
            and {{ dbt.datediff('history.signal_date', 'today.signal_date', 'day') }} in (
                {%- for week in range(1, volume_weeks + 1) -%}
                    {{ 7 * week }}{% if not loop.last %}, {% endif %}
                {%- endfor -%}
            )
            -- noqa: enable=LT05
    where today.baseline_method = 'same_weekday_robust_z'

),

weekday_medians as (

    select
        dataset,
        slice_dimension,
        slice_value,
        signal_name,
        scope,
        signal_date,
        {{ percentile_cont('history_value', 0.5) }} as baseline_value,
        count(history_value) as baseline_days
    from weekday_history
    group by 1, 2, 3, 4, 5, 6

),

weekday_baselines as (

    -- median absolute deviation around the median: a robust spread
    select
        weekday_medians.dataset,
        weekday_medians.slice_dimension,
        weekday_medians.slice_value,
        weekday_medians.signal_name,
        weekday_medians.scope,
        weekday_medians.signal_date,
        weekday_medians.baseline_value,
        weekday_medians.baseline_days,
        {{ percentile_cont(
            'abs(weekday_history.history_value - weekday_medians.baseline_value)', 0.5
        ) }}
            as baseline_mad
    from weekday_medians
    inner join weekday_history
        on
            weekday_medians.dataset = weekday_history.dataset
            and weekday_medians.slice_dimension = weekday_history.slice_dimension
            and weekday_medians.slice_value = weekday_history.slice_value
            and weekday_medians.signal_name = weekday_history.signal_name
            and weekday_medians.scope = weekday_history.scope
            and weekday_medians.signal_date = weekday_history.signal_date
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

baselined as (

    select
        valued.*,
        coalesce(trailing_baselines.baseline_value, weekday_baselines.baseline_value)
            as baseline_value,
        coalesce(trailing_baselines.baseline_days, weekday_baselines.baseline_days, 0)
            as baseline_days,
        weekday_baselines.baseline_mad
    from valued
    left join trailing_baselines
        on
            valued.dataset = trailing_baselines.dataset
            and valued.slice_dimension = trailing_baselines.slice_dimension
            and valued.slice_value = trailing_baselines.slice_value
            and valued.signal_name = trailing_baselines.signal_name
            and valued.scope = trailing_baselines.scope
            and valued.signal_date = trailing_baselines.signal_date
    left join weekday_baselines
        on
            valued.dataset = weekday_baselines.dataset
            and valued.slice_dimension = weekday_baselines.slice_dimension
            and valued.slice_value = weekday_baselines.slice_value
            and valued.signal_name = weekday_baselines.signal_name
            and valued.scope = weekday_baselines.scope
            and valued.signal_date = weekday_baselines.signal_date

),

measured as (

    select
        *,
        case
            when baseline_method = 'none' and sample_rows >= {{ min_rows }}
                then signal_value
            -- observed / expected count, taking for observed the upper end of its one-sided
            -- Poisson (Wilson score) interval: the ratio is only as low as the data proves,
            -- so a slice with a handful of events cannot look broken by chance; not judged
            -- on fewer than min_expected expected events
            when baseline_method = 'trailing_median_ratio'
                and baseline_days >= {{ min_baseline_days }}
                and baseline_value * denominator >= {{ min_expected }}
                then (
                    numerator + {{ z * z / 2 }} + {{ z }} * sqrt(numerator + {{ z * z / 4 }})
                ) / (baseline_value * denominator)
            -- robust z; the spread is floored at the Poisson noise of a count and 5 % of
            -- the median, since a handful of past weeks can agree by chance
            when baseline_method = 'same_weekday_robust_z'
                and baseline_days >= {{ min_volume_weeks }}
                then (signal_value - baseline_value) / greatest(
                        1.4826 * baseline_mad, sqrt(baseline_value), 0.05 * baseline_value, 1
                    )
        end as measure,
        case
            when baseline_method = 'trailing_median_ratio'
                then baseline_value * denominator
        end as expected_count
    from baselined

),

scored as (

    select
        *,
        case
            when measure is null then null
            when direction = 'higher_is_worse'
                then
                    case
                        when measure <= threshold_warn then 1.0
                        when measure >= threshold_fail then 0.0
                        else (threshold_fail - measure) / (threshold_fail - threshold_warn)
                    end
            when direction = 'lower_is_worse'
                then
                    case
                        when measure >= threshold_warn then 1.0
                        when measure <= threshold_fail then 0.0
                        else (measure - threshold_fail) / (threshold_warn - threshold_fail)
                    end
            when direction = 'abs_higher_is_worse' then
                case
                    when abs(measure) <= threshold_warn then 1.0
                    when abs(measure) >= threshold_fail then 0.0
                    else (threshold_fail - abs(measure)) / (threshold_fail - threshold_warn)
                end
        end as health
    from measured

),

described as (

    select
        *,
        case signal_name
            {%- for signal_name, label in labels.items() %}
                when '{{ signal_name }}' then '{{ label | replace("'", "''") }}'
            {%- endfor %}
            else signal_name
        end as signal_label,
        {{ dbt.cast('round(100 * measure, 1)', string_type) }} as measure_pct,
        {{ dbt.cast('round(measure, 2)', string_type) }} as measure_text,
        {{ dbt.cast('round(100 * threshold_warn, 2)', string_type) }}
            as warn_pct,
        {{ dbt.cast('round(100 * threshold_fail, 2)', string_type) }}
            as fail_pct,
        {{ dbt.cast('threshold_warn', string_type) }} as warn_text,
        {{ dbt.cast('threshold_fail', string_type) }} as fail_text,
        {{ dbt.cast('cast(round(numerator, 0) as bigint)', string_type) }}
            as numerator_text,
        {{ dbt.cast('cast(round(denominator, 0) as bigint)', string_type) }}
            as denominator_text,
        {{ dbt.cast('cast(round(expected_count, 0) as bigint)', string_type) }}
            as expected_text,
        {{ dbt.cast('cast(round(baseline_value, 0) as bigint)', string_type) }}
            as baseline_text
    from scored

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'dataset', "'|'", dbt.cast('signal_date', string_type), "'|'",
            'slice_dimension', "'|'", 'slice_value', "'|'", 'signal_name', "'|'", 'scope',
        ])) }} as quality_signal_id,
        dataset,
        slice_dimension,
        slice_value,
        signal_name,
        signal_category,
        scope,
        direction,
        baseline_method,
        case
            when measure is null and baseline_method = 'none'
                then 'not scored: ' || cast(sample_rows as {{ dbt.type_string() }})
                    || ' rows, fewer than {{ min_rows }}'
            when measure is null and baseline_method = 'trailing_median_ratio'
                and baseline_days >= {{ min_baseline_days }}
                then 'not scored: ' || coalesce(expected_text, '0')
                    || ' expected, fewer than {{ min_expected }}'
            when measure is null and baseline_method = 'trailing_median_ratio'
                then 'not scored: ' || cast(baseline_days as {{ dbt.type_string() }})
                    || ' baseline days, fewer than {{ min_baseline_days }}'
            when measure is null
                then 'not scored: ' || cast(baseline_days as {{ dbt.type_string() }})
                    || ' same-weekday baseline days, fewer than {{ min_volume_weeks }}'
            when baseline_method = 'same_weekday_robust_z'
                then signal_label || ' ' || numerator_text || ' vs same-weekday median '
                    || baseline_text || ' (robust z ' || measure_text || '); warn beyond '
                    || warn_text || ', fail at ' || fail_text
            when baseline_method = 'trailing_median_ratio'
                then signal_label || ' at most ' || measure_pct || '% of the trailing '
                    || '{{ baseline_days }}-day median (' || numerator_text || ' observed vs '
                    || coalesce(expected_text, '0') || ' expected); warn below ' || warn_pct
                    || '%, fail at ' || fail_pct || '%'
            when denominator is null
                then signal_label || ' ' || measure_text || '; warn above ' || warn_text
                    || ', fail at ' || fail_text
            else signal_label || ': ' || measure_pct || '% (' || numerator_text || ' of '
                || denominator_text || ')'
                || case
                    when detail_context is not null and numerator > 0
                        then ', mostly ' || detail_context
                    else ''
                end
                || '; warn above ' || warn_pct || '%, fail at ' || fail_pct || '%'
        end as detail,
        sample_rows,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(measure as {{ type_double() }}) as measure,
        cast(baseline_value as {{ type_double() }}) as baseline,
        cast(expected_count as {{ type_double() }}) as expected_count,
        baseline_days,
        cast(health as {{ type_double() }}) as health,
        threshold_warn,
        threshold_fail,
        measure is not null as is_scored,
        signal_date
    from described

)

select * from final
