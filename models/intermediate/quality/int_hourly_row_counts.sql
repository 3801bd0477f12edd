{#- Rows per dataset x time basis x slice x day x hour of day (UTC), densified: every hour of
    every day a slice has rows appears, with 0 when it had none.
    * time_basis 'event': the row's attributed day and the hour of its event time (of its
      ingestion time when the event time is missing or implausible) — does the day's traffic
      cover the whole day? Every evidence slice.
    * time_basis 'ingestion': the day and hour the row was ingested — did the batches keep
      arriving? Whole dataset only (batches carry every slice). -#}
{%- set datasets = {
    'api_calls': {'model': 'stg_api_gateway__api_calls', 'event_column': 'requested_at'},
    'game_events': {'model': 'stg_game_telemetry__game_events', 'event_column': 'event_at'},
} -%}
{%- set timestamp_reasons = implausible_timestamp_reasons() -%}

with
{%- for dataset, spec in datasets.items() %}
    {%- set dimensions = var('quality_slice_dimensions')[dataset] %}

    {{ dataset }}_rows as (

        select
            {{ dimensions | join(', ') }},
            attributed_date as row_date,
            cast(extract(hour from case
                when {{ spec.event_column }} is null
                    or coalesce(quarantine_reason, '') in ('{{ timestamp_reasons | join("', '") }}') -- noqa: LT05
                    then ingested_at
                else {{ spec.event_column }}
            end) as {{ dbt.type_int() }}) as row_hour,
            cast({{ dbt.date_trunc('day', 'ingested_at') }} as date) as ingested_date,
            cast(extract(hour from ingested_at) as {{ dbt.type_int() }}) as ingested_hour
        from {{ ref(spec.model) }}
        where attributed_date is not null and ingested_at is not null

    ),

    {{ dataset }}_counts as (

        select
            '{{ dataset }}' as dataset,
            'event' as time_basis,
            {{ grouping_dimension_name(dimensions) }} as slice_dimension,
            {{ grouping_dimension_value(dimensions) }} as slice_value,
            row_date,
            row_hour,
            count(*) as row_count
        from {{ dataset }}_rows
        -- noqa: disable=PRS
        group by {{ dimension_grouping_sets('row_date', dimensions, ['row_hour']) }}
        having {{ grouping_dimension_not_null(dimensions, 'slice_value') }}

        union all

        select
            '{{ dataset }}' as dataset,
            'ingestion' as time_basis,
            'all' as slice_dimension,
            'all' as slice_value,
            ingested_date as row_date,
            ingested_hour as row_hour,
            count(*) as row_count
        from {{ dataset }}_rows
        group by ingested_date, ingested_hour
        -- noqa: enable=PRS

    ),
{%- endfor %}

counts as (

    {%- for dataset in datasets %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select * from {{ dataset }}_counts
    {%- endfor %}

),

hours as (

    {%- for hour in range(24) %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select {{ hour }} as row_hour
    {%- endfor %}

),

slices as (

    select distinct
        dataset,
        time_basis,
        slice_dimension,
        slice_value
    from counts

),

dates as (

    select distinct
        dataset,
        time_basis,
        row_date
    from counts

),

slice_days as (

    -- every slice on every day its dataset has rows (a slice gone silent shows zeros)
    select
        slices.dataset,
        slices.time_basis,
        slices.slice_dimension,
        slices.slice_value,
        dates.row_date
    from slices
    inner join dates
        on slices.dataset = dates.dataset and slices.time_basis = dates.time_basis

),

final as (

    select
        slice_days.dataset,
        slice_days.time_basis,
        slice_days.slice_dimension,
        slice_days.slice_value,
        hours.row_hour,
        coalesce(counts.row_count, 0) as row_count,
        slice_days.row_date
    from slice_days
    cross join hours
    left join counts
        on
            slice_days.dataset = counts.dataset
            and slice_days.time_basis = counts.time_basis
            and slice_days.slice_dimension = counts.slice_dimension
            and slice_days.slice_value = counts.slice_value
            and slice_days.row_date = counts.row_date
            and hours.row_hour = counts.row_hour

)

select * from final
