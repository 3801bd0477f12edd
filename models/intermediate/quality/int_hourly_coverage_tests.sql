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
    (quality_thresholds.csv) are Bonferroni-corrected. The windows' counts and ratios come
    from int_hourly_window_counts and int_hourly_window_ratios. -#}

with ratios as (

    -- every window of every slice-day, against its trailing profile, with its pooled dispersion
    select * from {{ ref('int_hourly_window_ratios') }}

),

tested as (

    select
        ratios.*,
        ratios.pooled_dispersion as dispersion,
        {{ binomial_test_z(
            'ratios.window_rows', 'ratios.scale_rows', 'ratios.window_share',
            'ratios.pooled_dispersion'
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
                    'ratios.pooled_dispersion'
                ) }}, 9) asc nulls last,
                ratios.window_kind,
                ratios.window_hour
        ) as window_rank
    from ratios
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
        ratios.pooled_dispersion as dispersion,
        case
            when ratios.window_rows
                <= ratios.expected_rows * dataset_gaps.kept_ratio
                + 3.09 * sqrt(ratios.expected_rows * dataset_gaps.kept_ratio) + 1
                then dataset_gaps.dataset_z
            else {{ binomial_test_z(
                'ratios.window_rows', 'ratios.scale_rows', 'ratios.window_share',
                'ratios.pooled_dispersion'
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
        case tested.time_basis
            when 'event' then 'hourly_coverage'
            else 'batch_arrival_coverage'
        end as signal_name
    from tested
    where tested.window_rank = 1

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
            when 'tail'
                then 'rows from ' || cast(window_hour as {{ dbt.type_string() }}) || ':00 on'
            when 'head'
                then 'rows before ' || cast(window_hour as {{ dbt.type_string() }}) || ':00'
            else 'rows in hour ' || cast(window_hour as {{ dbt.type_string() }}) || ':00'
        end || case
            when time_basis = 'ingestion' then ' (by ingestion time)'
            when signal_name = 'hourly_coverage_dataset_gap'
                then ' (the whole dataset''s gap; z of the dataset unless this slice kept its rows)'
            else ''
        end || '; last hour with rows '
        || coalesce(cast(last_hour as {{ dbt.type_string() }}), 'none') as detail_context,
        day_rows as sample_rows,
        cast(window_rows as {{ type_double() }}) as observed,
        cast(expected_rows as {{ type_double() }}) as expected,
        cast(dispersion as {{ type_double() }}) as dispersion,
        cast(z_score as {{ type_double() }}) as z_score,
        row_date as signal_date
    from selected

)

select * from final
