{#- Each hourly window against its own trailing profile: one row per dataset x time basis x
    slice x day x window (int_hourly_window_counts), with the window's baseline share of a day's
    rows (pooled over the trailing baseline window, each day weighing at most a mean day), the expected rows (share x the day's
    scale), observed / expected, its Poisson variance, and the window's extra day-to-day
    dispersion pooled with the slice-day's other windows (the larger of its own and their
    median; null when the window has no history). Read by int_hourly_coverage_tests. -#}
with window_counts as (

    select * from {{ ref('int_hourly_window_counts') }}

),

day_weighted as (

    -- each day's window share weighted by its scale (its rows, at most the trailing mean
    -- day) instead of its rows: pooled by rows, one burst day (a replayed batch, a bot wave:
    -- 20x a normal day's rows, nearly all in a few hours) would be most of the baseline and
    -- shift every window's share for the next weeks, so healthy days would look short
    select
        *,
        window_rows * scale_rows / nullif(day_rows, 0) as scaled_window_rows
    from window_counts

),

baselines as (

    {{ trailing_pooled_ratio(
        'day_weighted',
        ['dataset', 'time_basis', 'slice_dimension', 'slice_value', 'window_kind', 'window_hour'],
        'row_date', 'scaled_window_rows', 'scale_rows'
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
    group by dataset, time_basis, slice_dimension, slice_value, row_date

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

final as (

    select
        ratios.*,
        pooled_dispersions.pooled_dispersion
    from ratios
    left join pooled_dispersions
        on
            ratios.dataset = pooled_dispersions.dataset
            and ratios.time_basis = pooled_dispersions.time_basis
            and ratios.slice_dimension = pooled_dispersions.slice_dimension
            and ratios.slice_value = pooled_dispersions.slice_value
            and ratios.window_kind = pooled_dispersions.window_kind
            and ratios.window_hour = pooled_dispersions.window_hour
            and ratios.row_date = pooled_dispersions.row_date

)

select * from final
