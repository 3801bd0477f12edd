{#- The profiles' rate signals, measured: one row per dataset x slice x day x signal (x scope).
    * baseline_method 'none': the share of the slice-day's rows with the defect (not scored on
      fewer than var('quality_min_rows') rows);
    * 'same_weekday_robust_z' (row_count_robust_z): robust z of the day's rows vs the median and
      MAD of the previous var('quality_volume_weeks') same weekdays; the spread is floored at the
      Poisson noise of a count and 5 % of the median, since a handful of weeks can agree by
      chance. -#}
{%- set volume_weeks = var('quality_volume_weeks') | int -%}

with profiles as (

    select * from {{ ref('int_api_calls_profiled_daily') }}
    union all
    select * from {{ ref('int_game_events_profiled_daily') }}
    union all
    select * from {{ ref('int_conflicting_duplicates_profiled_daily') }}

),

valued as (

    select
        *,
        case
            when denominator is null then numerator
            when denominator > 0 then numerator / denominator
        end as signal_value
    from profiles

),

weekday_history as (

    -- the same slice's row count on the previous same weekdays
    select
        today.dataset,
        today.slice_dimension,
        today.slice_value,
        today.signal_date,
        history.signal_value as history_value
    from valued as today
    inner join valued as history
        on
            today.dataset = history.dataset
            and today.slice_dimension = history.slice_dimension
            and today.slice_value = history.slice_value
            and today.signal_name = history.signal_name
            and history.signal_date in (
                {%- for week in range(1, volume_weeks + 1) -%}
                    {{ dbt.dateadd('day', -7 * week, 'today.signal_date') }}
                    {%- if not loop.last %}, {% endif %}
                {%- endfor -%}
            )
    where today.signal_name = 'row_count_robust_z'

),

weekday_medians as (

    select
        dataset,
        slice_dimension,
        slice_value,
        signal_date,
        {{ percentile_cont('history_value', 0.5) }} as baseline_value,
        count(history_value) as baseline_days
    from weekday_history
    group by 1, 2, 3, 4

),

weekday_baselines as (

    -- median absolute deviation around the median: a robust spread
    select
        weekday_medians.dataset,
        weekday_medians.slice_dimension,
        weekday_medians.slice_value,
        weekday_medians.signal_date,
        weekday_medians.baseline_value,
        weekday_medians.baseline_days,
        {{ percentile_cont(
            'abs(weekday_history.history_value - weekday_medians.baseline_value)', 0.5
        ) }} as baseline_mad
    from weekday_medians
    inner join weekday_history
        on
            weekday_medians.dataset = weekday_history.dataset
            and weekday_medians.slice_dimension = weekday_history.slice_dimension
            and weekday_medians.slice_value = weekday_history.slice_value
            and weekday_medians.signal_date = weekday_history.signal_date
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        valued.dataset,
        valued.signal_name,
        valued.slice_dimension,
        valued.slice_value,
        valued.scope,
        valued.detail_context,
        valued.sample_rows,
        valued.numerator,
        valued.denominator,
        cast(case
            when valued.signal_name = 'row_count_robust_z'
                and weekday_baselines.baseline_days >= {{ var('quality_min_volume_weeks') }}
                then (valued.signal_value - weekday_baselines.baseline_value)
                    / greatest(
                        1.4826 * weekday_baselines.baseline_mad,
                        sqrt(weekday_baselines.baseline_value),
                        0.05 * weekday_baselines.baseline_value,
                        1
                    )
            when valued.signal_name <> 'row_count_robust_z'
                and valued.sample_rows >= {{ var('quality_min_rows') }}
                then valued.signal_value
        end as {{ type_double() }}) as measure,
        cast(weekday_baselines.baseline_value as {{ type_double() }}) as baseline,
        coalesce(weekday_baselines.baseline_days, 0) as baseline_days,
        valued.signal_date
    from valued
    left join weekday_baselines
        on
            valued.dataset = weekday_baselines.dataset
            and valued.slice_dimension = weekday_baselines.slice_dimension
            and valued.slice_value = weekday_baselines.slice_value
            and valued.signal_date = weekday_baselines.signal_date
            and valued.signal_name = 'row_count_robust_z'

)

select * from final
