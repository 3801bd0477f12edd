{#- Did a slice lose rows while the rest of its dataset did not? One row per dataset x slice
    (not 'all') x day: the slice's rows vs the dataset's rows that day x the slice's pooled
    trailing share. A dataset-wide rise or fall cancels out; a region, API or country going
    quiet on its own does not. Real traffic can shift between slices too (an outage, a
    migration), so the trust lineage gives it the small weight of an anomaly.
    z = binomial_test_z (the slice's share of the day's rows, with the share's own extra
    day-to-day dispersion). -#}
with daily as (

    select
        dataset,
        slice_dimension,
        slice_value,
        row_date,
        sum(row_count) as slice_rows
    from {{ ref('int_hourly_row_counts') }}
    where time_basis = 'event'
    group by 1, 2, 3, 4

),

shares as (

    select
        daily.dataset,
        daily.slice_dimension,
        daily.slice_value,
        daily.slice_rows,
        totals.slice_rows as dataset_rows,
        daily.row_date
    from daily
    inner join daily as totals
        on
            daily.dataset = totals.dataset
            and daily.row_date = totals.row_date
            and totals.slice_dimension = 'all'
    where daily.slice_dimension <> 'all'

),

baselines as (

    {{ trailing_pooled_ratio(
        'shares', ['dataset', 'slice_dimension', 'slice_value'], 'row_date',
        'slice_rows', 'dataset_rows'
    ) }}

),

ratios as (

    select
        shares.*,
        baselines.baseline_days,
        baselines.baseline_ratio as expected_share,
        shares.dataset_rows * baselines.baseline_ratio as expected_rows,
        shares.slice_rows / nullif(shares.dataset_rows * baselines.baseline_ratio, 0)
            as observed_ratio,
        (1 - baselines.baseline_ratio)
        / nullif(shares.dataset_rows * baselines.baseline_ratio, 0) as poisson_variance
    from shares
    inner join baselines
        on
            shares.dataset = baselines.dataset
            and shares.slice_dimension = baselines.slice_dimension
            and shares.slice_value = baselines.slice_value
            and shares.row_date = baselines.row_date

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
        'rows relative to the rest of the dataset' as detail_context,
        ratios.slice_rows as sample_rows,
        cast(ratios.slice_rows as {{ type_double() }}) as observed,
        cast(ratios.expected_rows as {{ type_double() }}) as expected,
        cast(dispersions.dispersion as {{ type_double() }}) as dispersion,
        cast(case
            when ratios.baseline_days >= {{ var('quality_min_baseline_days') }}
                and ratios.expected_rows >= {{ var('quality_min_expected_count') }}
                then {{ binomial_test_z(
                    'ratios.slice_rows', 'ratios.dataset_rows', 'ratios.expected_share',
                    'dispersions.dispersion'
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
