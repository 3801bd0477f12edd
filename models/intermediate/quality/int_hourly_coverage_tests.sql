{#- Does each day's traffic cover the whole day? One row per dataset x time basis x slice x day:
    the most significant of 70 windows of hours, each tested against the slice's own hourly
    profile (share of a day's rows per hour, pooled over the trailing baseline window):
    * tail_<h>: hours >= h (the day stops at h, e.g. a pipeline that stalls at noon);
    * head_<h>: hours < h (the day starts late);
    * hour_<h>: hour h alone (a gap in the middle of the day).
    On days the whole dataset has a gap (its own hourly_coverage a warning or worse), every
    slice gets hourly_coverage_dataset_gap on that one window: the batches carry every slice,
    so a slice shares the dataset's gap, and carries the dataset's z, unless its own rows
    refute it: more rows in the window than the dataset's kept share of its expectation allows
    (one-sided 1e-3 Poisson margin, normal approximation, plus one row). A slice that refutes it
    carries its own z for that window. So a slice too small to prove a loss on its own is still
    charged for the hours the whole dataset lost, and one that kept its rows is not.
    Expected rows in a window = the window's baseline share x the smaller of the day's own
    total and the slice's trailing mean day: a day that is quieter all day long (a holiday) is
    not a gap, and neither are hours that look short only because a burst elsewhere in the day
    (bots, a campaign hour) inflated the total: only a loss of the shape is tested.
    z = binomial_test_z (the window's share of that scale, with the window's own extra
    day-to-day dispersion); with 70 windows per slice-day the thresholds
    (quality_thresholds.csv) are Bonferroni-corrected. -#}
{%- set windows = [] -%}
{%- for hour in range(1, 24) -%}
    {%- do windows.append(('tail', hour)) -%}
    {%- do windows.append(('head', hour)) -%}
{%- endfor -%}
{%- for hour in range(24) -%}
    {%- do windows.append(('hour', hour)) -%}
{%- endfor -%}

with hourly as (

    select * from {{ ref('int_hourly_row_counts') }}

),

event_days as (

    -- ingestion days outside the event days are the log's edges, not gaps
    select
        dataset,
        min(row_date) as first_date,
        max(row_date) as last_date
    from hourly
    where time_basis = 'event'
    group by dataset

),

windows as (

    {%- for kind, hour in windows %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select '{{ kind }}' as window_kind, {{ hour }} as window_hour
    {%- endfor %}

),

day_totals as (

    select
        hourly.dataset,
        hourly.time_basis,
        hourly.slice_dimension,
        hourly.slice_value,
        hourly.row_date,
        sum(hourly.row_count) as day_rows,
        1 as day_count,
        max(case when hourly.row_count > 0 then hourly.row_hour end) as last_hour
    from hourly
    inner join event_days
        on
            hourly.dataset = event_days.dataset
            and hourly.row_date between event_days.first_date and event_days.last_date
    group by 1, 2, 3, 4, 5

),

day_levels as (

    {{ trailing_pooled_ratio(
        'day_totals', ['dataset', 'time_basis', 'slice_dimension', 'slice_value'],
        'row_date', 'day_rows', 'day_count'
    ) }}

),

window_counts as (

    select
        day_totals.dataset,
        day_totals.time_basis,
        day_totals.slice_dimension,
        day_totals.slice_value,
        windows.window_kind,
        windows.window_hour,
        -- the day's scale: its own total, or the trailing mean day when that is smaller
        least(day_totals.day_rows, coalesce(day_levels.baseline_ratio, day_totals.day_rows))
            as scale_rows,
        day_totals.day_rows,
        day_totals.last_hour,
        sum(hourly.row_count) as window_rows,
        day_totals.row_date
    from day_totals
    left join day_levels
        on
            day_totals.dataset = day_levels.dataset
            and day_totals.time_basis = day_levels.time_basis
            and day_totals.slice_dimension = day_levels.slice_dimension
            and day_totals.slice_value = day_levels.slice_value
            and day_totals.row_date = day_levels.row_date
    cross join windows
    inner join hourly
        on
            day_totals.dataset = hourly.dataset
            and day_totals.time_basis = hourly.time_basis
            and day_totals.slice_dimension = hourly.slice_dimension
            and day_totals.slice_value = hourly.slice_value
            and day_totals.row_date = hourly.row_date
            and (
                (windows.window_kind = 'tail' and hourly.row_hour >= windows.window_hour)
                or (windows.window_kind = 'head' and hourly.row_hour < windows.window_hour)
                or (windows.window_kind = 'hour' and hourly.row_hour = windows.window_hour)
            )
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 11

),

baselines as (

    {{ trailing_pooled_ratio(
        'window_counts',
        ['dataset', 'time_basis', 'slice_dimension', 'slice_value', 'window_kind', 'window_hour'],
        'row_date', 'window_rows', 'day_rows'
    ) }}

),

ratios as (

    -- observed / expected of every day against its own trailing profile
    select
        window_counts.*,
        baselines.baseline_ratio * window_counts.scale_rows as expected_rows,
        baselines.baseline_days,
        window_counts.window_rows
        / nullif(baselines.baseline_ratio * window_counts.scale_rows, 0) as observed_ratio,
        (1 - baselines.baseline_ratio)
        / nullif(baselines.baseline_ratio * window_counts.scale_rows, 0) as poisson_variance,
        baselines.baseline_ratio as window_share
    from window_counts
    inner join baselines
        on
            window_counts.dataset = baselines.dataset
            and window_counts.time_basis = baselines.time_basis
            and window_counts.slice_dimension = baselines.slice_dimension
            and window_counts.slice_value = baselines.slice_value
            and window_counts.window_kind = baselines.window_kind
            and window_counts.window_hour = baselines.window_hour
            and window_counts.row_date = baselines.row_date

),

dispersions as (

    {{ trailing_dispersion(
        'ratios',
        ['dataset', 'time_basis', 'slice_dimension', 'slice_value', 'window_kind', 'window_hour'],
        'row_date', 'observed_ratio', 'poisson_variance'
    ) }}

),

slice_day_dispersions as (

    select
        dataset,
        time_basis,
        slice_dimension,
        slice_value,
        row_date,
        {{ percentile_cont('dispersion', 0.5) }} as median_dispersion
    from dispersions
    group by 1, 2, 3, 4, 5

),

pooled_dispersions as (

    -- a window's dispersion comes from a few weeks of days: pool it with the slice-day's other
    -- windows (their median) and keep the larger, so an estimate that is low by chance cannot
    -- make a normal day look broken
    select
        dispersions.*,
        greatest(dispersions.dispersion, slice_day_dispersions.median_dispersion)
            as pooled_dispersion
    from dispersions
    inner join slice_day_dispersions
        on
            dispersions.dataset = slice_day_dispersions.dataset
            and dispersions.time_basis = slice_day_dispersions.time_basis
            and dispersions.slice_dimension = slice_day_dispersions.slice_dimension
            and dispersions.slice_value = slice_day_dispersions.slice_value
            and dispersions.row_date = slice_day_dispersions.row_date

),

tested as (

    select
        ratios.*,
        dispersions.pooled_dispersion as dispersion,
        {{ binomial_test_z(
            'ratios.window_rows', 'ratios.scale_rows', 'ratios.window_share',
            'dispersions.pooled_dispersion'
        ) }} as z_score,
        row_number() over (
            partition by
                ratios.dataset, ratios.time_basis, ratios.slice_dimension, ratios.slice_value,
                ratios.row_date
            -- z rounded: equivalent windows (tail_23 = hour_23, head_1 = hour_0) tie exactly in
            -- theory but differ in the last bits of the parallel sums, which made the chosen
            -- window (detail_context) change from build to build
            order by
                round({{ binomial_test_z(
                    'ratios.window_rows', 'ratios.scale_rows', 'ratios.window_share',
                    'dispersions.pooled_dispersion'
                ) }}, 9) asc nulls last,
                ratios.window_kind,
                ratios.window_hour
        ) as window_rank
    from ratios
    left join pooled_dispersions as dispersions
        on
            ratios.dataset = dispersions.dataset
            and ratios.time_basis = dispersions.time_basis
            and ratios.slice_dimension = dispersions.slice_dimension
            and ratios.slice_value = dispersions.slice_value
            and ratios.window_kind = dispersions.window_kind
            and ratios.window_hour = dispersions.window_hour
            and ratios.row_date = dispersions.row_date
    where
        ratios.baseline_days >= {{ var('quality_min_baseline_days') }}
        and ratios.expected_rows >= {{ var('quality_min_expected_count') }}

),

dataset_gaps as (

    -- the whole dataset's most deficient window, where it is itself a warning or worse
    select
        tested.dataset,
        tested.time_basis,
        tested.window_kind,
        tested.window_hour,
        tested.row_date,
        tested.z_score as dataset_z,
        tested.window_rows / nullif(tested.expected_rows, 0) as kept_ratio
    from tested
    inner join {{ ref('quality_thresholds') }} as thresholds
        on thresholds.signal_name = 'hourly_coverage'
    where
        tested.slice_dimension = 'all'
        and tested.window_rank = 1
        and tested.z_score < thresholds.threshold_warn

),

slice_gaps as (

    -- every slice (small ones too) on the dataset's gap window
    select
        ratios.*,
        dispersions.pooled_dispersion as dispersion,
        case
            when ratios.window_rows
                <= ratios.expected_rows * dataset_gaps.kept_ratio
                + 3.09 * sqrt(ratios.expected_rows * dataset_gaps.kept_ratio) + 1
                then dataset_gaps.dataset_z
            else {{ binomial_test_z(
                'ratios.window_rows', 'ratios.scale_rows', 'ratios.window_share',
                'dispersions.pooled_dispersion'
            ) }}
        end as z_score,
        1 as window_rank,
        'hourly_coverage_dataset_gap' as signal_name
    from ratios
    inner join dataset_gaps
        on
            ratios.dataset = dataset_gaps.dataset
            and ratios.time_basis = dataset_gaps.time_basis
            and ratios.window_kind = dataset_gaps.window_kind
            and ratios.window_hour = dataset_gaps.window_hour
            and ratios.row_date = dataset_gaps.row_date
    left join pooled_dispersions as dispersions
        on
            ratios.dataset = dispersions.dataset
            and ratios.time_basis = dispersions.time_basis
            and ratios.slice_dimension = dispersions.slice_dimension
            and ratios.slice_value = dispersions.slice_value
            and ratios.window_kind = dispersions.window_kind
            and ratios.window_hour = dispersions.window_hour
            and ratios.row_date = dispersions.row_date
    where
        ratios.slice_dimension <> 'all'
        and ratios.time_basis = 'event'
        and ratios.baseline_days >= {{ var('quality_min_baseline_days') }}
        and ratios.expected_rows > 0

),

selected as (

    -- each slice's own most deficient window (hourly_coverage) and the dataset's gap
    select
        tested.*,
        case time_basis
            when 'event' then 'hourly_coverage'
            else 'batch_arrival_coverage'
        end as signal_name
    from tested
    where window_rank = 1

    union all

    select * from slice_gaps

),

final as (

    select
        dataset,
        signal_name,
        slice_dimension,
        slice_value,
        'rows' as scope,
        case window_kind
            when 'tail' then 'rows from ' || cast(window_hour as {{ dbt.type_string() }}) || ':00 on'
            when 'head' then 'rows before ' || cast(window_hour as {{ dbt.type_string() }}) || ':00'
            else 'rows in hour ' || cast(window_hour as {{ dbt.type_string() }}) || ':00'
        end || case
            when time_basis = 'ingestion' then ' (by ingestion time)'
            when signal_name = 'hourly_coverage_dataset_gap'
                then ' (the whole dataset''s gap; z of the dataset unless this slice kept its rows)'
            else ''
        end || '; last hour with rows ' || coalesce(cast(last_hour as {{ dbt.type_string() }}), 'none')
            as detail_context,
        day_rows as sample_rows,
        cast(window_rows as {{ type_double() }}) as observed,
        cast(expected_rows as {{ type_double() }}) as expected,
        cast(dispersion as {{ type_double() }}) as dispersion,
        cast(z_score as {{ type_double() }}) as z_score,
        row_date as signal_date
    from selected

)

select * from final
