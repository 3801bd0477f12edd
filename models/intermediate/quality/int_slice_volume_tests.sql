{#- Did a slice lose rows while its siblings did not? One row per dataset x slice (not 'all') x
    day: the slice's rows vs expected = its own typical rows x the typical sibling's growth that
    day.
    * typical rows: the median of the slice's daily rows over the trailing window (today
      excluded). A median, not a pooled sum: a bot spike or replay that multiplied one slice's
      rows for a few days does not raise its expectation for the next four weeks.
    * growth: each slice's rows today / its typical rows; the day's factor is the median growth
      over the dimension's slices with enough rows (var quality_min_expected_count). A
      dataset-wide rise or fall (weekday, season, growth, an outage of everything) moves every
      slice alike and cancels out; one slice spiking (a campaign in one channel) or going quiet
      does not move the median of three or more slices, so its siblings are not charged for it.
      With only two slices the median is their mean: a loss in one shows at half its size.
    z = count_test_z (Poisson with the ratio's own extra day-to-day dispersion). Real traffic can
    shift between slices (an outage, a migration), so the trust lineage gives it the small
    weight of an anomaly. -#}
with daily as (

    select
        dataset,
        slice_dimension,
        slice_value,
        row_date,
        sum(row_count) as slice_rows
    from {{ ref('int_hourly_row_counts') }}
    where time_basis = 'event' and slice_dimension <> 'all'
    group by 1, 2, 3, 4

),

typical as (

    {{ trailing_aggregates(
        'daily', ['dataset', 'slice_dimension', 'slice_value'], 'row_date', {
            'typical_rows': percentile_cont_over('slice_rows', 0.5, 'history_window'),
            'baseline_days': 'count(case when slice_rows > 0 then 1 end) over history_window',
        }, carried=['slice_rows']
    ) }}

),

growth as (

    select
        dataset,
        slice_dimension,
        row_date,
        {{ percentile_cont('slice_rows / typical_rows', 0.5) }} as sibling_growth
    from typical
    where typical_rows >= {{ var('quality_min_expected_count') }}
    group by 1, 2, 3

),

ratios as (

    select
        typical.*,
        typical.typical_rows * growth.sibling_growth as expected_rows,
        typical.slice_rows / nullif(typical.typical_rows * growth.sibling_growth, 0)
            as observed_ratio,
        1 / nullif(typical.typical_rows * growth.sibling_growth, 0) as poisson_variance
    from typical
    inner join growth
        on
            typical.dataset = growth.dataset
            and typical.slice_dimension = growth.slice_dimension
            and typical.row_date = growth.row_date

),

dispersions as (

    {{ trailing_dispersion(
        'ratios', ['dataset', 'slice_dimension', 'slice_value'], 'row_date', 'observed_ratio',
        'poisson_variance'
    ) }}

),

final as (

    select
        ratios.dataset,
        'slice_volume_vs_rest' as signal_name,
        ratios.slice_dimension,
        ratios.slice_value,
        'rows' as scope,
        'rows vs its typical day times the growth of its sibling slices' as detail_context,
        ratios.slice_rows as sample_rows,
        cast(ratios.slice_rows as {{ type_double() }}) as observed,
        cast(ratios.expected_rows as {{ type_double() }}) as expected,
        cast(dispersions.dispersion as {{ type_double() }}) as dispersion,
        cast(case
            when ratios.baseline_days >= {{ var('quality_min_baseline_days') }}
                and ratios.expected_rows >= {{ var('quality_min_expected_count') }}
                then {{ count_test_z(
                    'ratios.slice_rows', 'ratios.expected_rows', 'dispersions.dispersion'
                ) }}
        end as {{ type_double() }}) as z_score,
        ratios.row_date as signal_date
    from ratios
    left join dispersions
        on
            ratios.dataset = dispersions.dataset
            and ratios.slice_dimension = dispersions.slice_dimension
            and ratios.slice_value = dispersions.slice_value
            and ratios.row_date = dispersions.row_date

)

select * from final
