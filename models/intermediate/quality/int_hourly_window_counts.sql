{#- The hourly coverage tests' observations: one row per dataset x time basis x slice x day x
    window of hours (70 windows: tail_<h> = hours >= h, head_<h> = hours < h, hour_<h> = hour h
    alone), with the window's rows, the day's rows, the day's last hour with rows and the day's
    scale (the smaller of the day's own total and the slice's trailing mean day, so a day that
    is quieter all day long is not a gap). Ingestion days outside the log's event days are the
    log's edges and are left out. Read by int_hourly_window_ratios. -#}
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
    group by
        hourly.dataset,
        hourly.time_basis,
        hourly.slice_dimension,
        hourly.slice_value,
        hourly.row_date

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
                (windows.window_kind = 'tail' and windows.window_hour <= hourly.row_hour)
                or (windows.window_kind = 'head' and windows.window_hour > hourly.row_hour)
                or (windows.window_kind = 'hour' and windows.window_hour = hourly.row_hour)
            )
    group by
        day_totals.dataset,
        day_totals.time_basis,
        day_totals.slice_dimension,
        day_totals.slice_value,
        windows.window_kind,
        windows.window_hour,
        -- scale_rows is a function of these two (one day_levels row per slice-day)
        day_levels.baseline_ratio,
        day_totals.day_rows,
        day_totals.last_hour,
        day_totals.row_date

)

select * from window_counts
