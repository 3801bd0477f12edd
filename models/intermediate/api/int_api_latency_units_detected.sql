{#- Latency unit per (api_name, api_version, call_date), detected from the data: a version-day
    whose median latency is below 1/var('latency_unit_ratio') of the API's reference is taken to
    report seconds. Reference = median of the API's version-day medians over the trailing
    var('latency_unit_window_days') days (the day itself included), so one drifting version among
    millisecond versions stands out while a slow or fast day of a healthy version does not. -#}
{%- set window_days = var('latency_unit_window_days') | int %}
with api_calls as (

    select * from {{ ref('int_api_calls_deduplicated') }}

),

version_days as (

    select
        api_name,
        api_version,
        call_date,
        count(*) as calls,
        {{ percentile_cont('latency_ms', 0.5) }} as median_latency
    from api_calls
    group by api_name, api_version, call_date

),

references_by_day as (

    select
        version_days.api_name,
        version_days.api_version,
        version_days.call_date,
        {{ percentile_cont('window_days.median_latency', 0.5) }} as reference_median_latency,
        count(*) as reference_version_days
    from version_days
    inner join version_days as window_days
        on
            version_days.api_name = window_days.api_name
            and window_days.call_date <= version_days.call_date
            and window_days.call_date
            >= {{ dbt.dateadd('day', -1 * window_days, 'version_days.call_date') }}
    group by version_days.api_name, version_days.api_version, version_days.call_date

),

final as (

    select
        version_days.api_name,
        version_days.api_version,
        version_days.calls,
        version_days.median_latency,
        references_by_day.reference_median_latency,
        references_by_day.reference_version_days,
        coalesce(
            version_days.median_latency * {{ var('latency_unit_ratio') }}
            < references_by_day.reference_median_latency,
            false
        ) as is_latency_in_seconds,
        version_days.call_date
    from version_days
    inner join references_by_day
        on
            version_days.api_name = references_by_day.api_name
            and version_days.api_version = references_by_day.api_version
            and version_days.call_date = references_by_day.call_date

)

select * from final
