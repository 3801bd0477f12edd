{#- The next var('forecast_days') days (7-60) of every kpi_daily series (adjusted `value`) with
    enough history, from the seasonal baseline family of kpi_seasonal_baselines_daily: a
    forecast day's expectation is the median of the same weekday's values over the series'
    last var('anomaly_season_periods') weeks (up to its last observed day), from at least
    var('anomaly_min_season_periods') of them; scale = 1.4826 x their median absolute deviation;
    the band is expected +- var('anomaly_z_threshold') x scale, the band outside which the
    baseline would flag the day. Portable SQL. -#}
{%- set days = var('forecast_days') | int -%}
{%- if days < 7 or days > 60 -%}
    {{ exceptions.raise_compiler_error('var forecast_days must be 7 to 60, not ' ~ days) }}
{%- endif -%}
{%- set weeks = var('anomaly_season_periods') -%}

with kpi_rows as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        value,
        kpi_date
    from {{ ref('kpi_daily') }}
    where value is not null

),

series as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        max(kpi_date) as last_observed_date
    from kpi_rows
    group by kpi_name, dataset, dimension_name, dimension_value, unit

),

horizons as (

    {%- for day in range(1, days + 1) %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select {{ day }} as horizon_days
    {%- endfor %}

),

forecast_days as (

    select
        series.*,
        horizons.horizon_days,
        {{ dbt.dateadd('day', 'horizons.horizon_days', 'series.last_observed_date') }}
            as forecast_date
    from series
    cross join horizons

),

history as (

    -- each forecast day with the same weekday's values of the series' last weeks
    select
        forecast_days.kpi_name,
        forecast_days.dimension_name,
        forecast_days.dimension_value,
        forecast_days.forecast_date,
        past.value as past_value
    from forecast_days
    inner join kpi_rows as past
        on
            forecast_days.kpi_name = past.kpi_name
            and forecast_days.dimension_name = past.dimension_name
            and forecast_days.dimension_value = past.dimension_value
            and past.kpi_date
            > {{ dbt.dateadd('day', -7 * weeks, 'forecast_days.last_observed_date') }}
            and {{ dbt.datediff('past.kpi_date', 'forecast_days.forecast_date', 'day') }} % 7 = 0  -- noqa: LT05

),

deviations as (

    {{ series_median_mad('history', 'forecast_date') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'forecast_days.kpi_name', "'|'", 'forecast_days.dimension_name', "'|'",
            'forecast_days.dimension_value', "'|'",
            dbt.cast('forecast_days.forecast_date', api.Column.translate_type('string'))
        ])) }} as kpi_forecast_id,
        forecast_days.kpi_name,
        forecast_days.dataset,
        forecast_days.dimension_name,
        forecast_days.dimension_value,
        forecast_days.unit,
        forecast_days.horizon_days,
        deviations.n_periods,
        cast(deviations.expected as {{ type_double() }}) as expected,
        cast(
            deviations.expected - {{ var('anomaly_z_threshold') }} * deviations.scale
            as {{ type_double() }}
        ) as lower,
        cast(
            deviations.expected + {{ var('anomaly_z_threshold') }} * deviations.scale
            as {{ type_double() }}
        ) as upper,
        cast(deviations.scale as {{ type_double() }}) as scale,
        forecast_days.last_observed_date,
        cast(forecast_days.forecast_date as date) as forecast_date
    from forecast_days
    inner join deviations
        on
            forecast_days.kpi_name = deviations.kpi_name
            and forecast_days.dimension_name = deviations.dimension_name
            and forecast_days.dimension_value = deviations.dimension_value
            and forecast_days.forecast_date = deviations.forecast_date
    where deviations.n_periods >= {{ var('anomaly_min_season_periods') }}

)

select * from final
