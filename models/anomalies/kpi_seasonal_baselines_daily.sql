{#- A portable SQL seasonal baseline, for engines without dbt Python models (and as a cross-check
    of kpi_anomalies_daily's seasonal detector): one row per kpi_daily row (adjusted `value`).
    expected = the median of the same weekday's values over the previous
    var('anomaly_season_periods') weeks, from at least var('anomaly_min_season_periods') of
    them; scale = 1.4826 x the median absolute deviation of those values from it (the MAD of the
    same-weekday history); z = (value - expected) / scale, flagged beyond
    var('anomaly_z_threshold'). Earlier days only: no look-ahead. Simpler than the Python
    detector (no trailing / recent candidates, no t correction, no fences, no consensus). -#}
{%- set weeks = var('anomaly_season_periods') -%}

with kpi_rows as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        value,
        kpi_date
    from {{ ref('kpi_daily') }}

),

history as (

    -- each row with the same weekday's values of the previous weeks
    select
        kpi_rows.kpi_name,
        kpi_rows.dimension_name,
        kpi_rows.dimension_value,
        kpi_rows.kpi_date,
        past.value as past_value
    from kpi_rows
    inner join kpi_rows as past
        on
            kpi_rows.kpi_name = past.kpi_name
            and kpi_rows.dimension_name = past.dimension_name
            and kpi_rows.dimension_value = past.dimension_value
            and past.kpi_date < kpi_rows.kpi_date
            and past.kpi_date >= {{ dbt.dateadd('day', -7 * weeks, 'kpi_rows.kpi_date') }}
            and {{ dbt.datediff('past.kpi_date', 'kpi_rows.kpi_date', 'day') }} % 7 = 0  -- noqa: LT05
    where past.value is not null

),

baselines as (

    {{ series_median_mad('history', 'kpi_date') }}

),

final as (

    select
        kpi_rows.kpi_name,
        kpi_rows.dimension_name,
        kpi_rows.dimension_value,
        kpi_rows.value,
        case
            when baselines.n_periods >= {{ var('anomaly_min_season_periods') }}
                then baselines.expected
        end as expected,
        case
            when baselines.n_periods >= {{ var('anomaly_min_season_periods') }}
                then baselines.scale
        end as scale,
        coalesce(baselines.n_periods, 0) as n_periods,
        kpi_rows.kpi_date
    from kpi_rows
    left join baselines
        on
            kpi_rows.kpi_name = baselines.kpi_name
            and kpi_rows.dimension_name = baselines.dimension_name
            and kpi_rows.dimension_value = baselines.dimension_value
            and kpi_rows.kpi_date = baselines.kpi_date

)

select
    kpi_name,
    dimension_name,
    dimension_value,
    value,
    expected,
    scale,
    case when scale > 0 then (value - expected) / scale end as z,
    n_periods,
    coalesce(scale > 0 and abs(value - expected) > {{ var('anomaly_z_threshold') }} * scale, false)
        as is_outlier,
    kpi_date
from final
