{#- Raw quality counts of the API-call log per (signal_date, slice): the numerators and
    denominators quality_signals_daily turns into signals. Read from staging (every raw row,
    quarantined ones included, before dedup and normalisation: the defects must be visible)
    plus the marts' latency-unit detection, so the signal and the correction agree.
    signal_date = the call's UTC day (ingestion day when the call time is missing). -#}
{%- set slice_dimensions = ['api_name', 'region'] -%}
{#- Required columns (docs/design.md), typed: null = missing, empty or unparseable. -#}
{%- set required_columns = [
    'call_id', 'requested_at', 'api_name', 'api_version', 'region', 'client_type',
    'document_type', 'status', 'http_status', 'latency_ms', 'ingested_at', 'batch_id',
] -%}

with api_calls as (

    select * from {{ ref('stg_api_gateway__api_calls') }}

),

latency_units as (

    select * from {{ ref('int_api_latency_units_detected') }}

),

flagged as (

    select
        api_calls.call_id,
        api_calls.api_name,
        api_calls.region,
        api_calls.quarantine_column,
        case
            {%- for column in required_columns %}
                when api_calls.{{ column }} is null then 1
            {%- endfor %}
            else 0
        end as missing_required_row,
        case
            -- present but invalid: quarantined for another reason than a missing value
            when api_calls.is_quarantined
                {%- for column in required_columns %}
                    and api_calls.{{ column }} is not null
                {%- endfor %}
                then 1
            when api_calls.http_status not between 100 and 599 then 1
            else 0
        end as invalid_value_row,
        case when api_calls.status_raw <> api_calls.status then 1 else 0 end
            as noncanonical_status_row,
        case when latency_units.is_latency_in_seconds then 1 else 0 end as latency_unit_drift_row,
        case
            when api_calls.requested_at > {{ dbt.dateadd(
                'minute', var('quality_future_tolerance_minutes', 60), 'api_calls.ingested_at'
            ) }} then 1
            else 0
        end as future_timestamp_row,
        case
            when api_calls.ingested_at > {{ dbt.dateadd(
                'hour', var('quality_late_hours', 24), 'api_calls.requested_at'
            ) }} then 1
            else 0
        end as late_arrival_row,
        -- LT05 waived: dbt.datediff renders this line past 100 characters
        {{ dbt.datediff('api_calls.requested_at', 'api_calls.ingested_at', 'second') }} / 3600.0 -- noqa: LT05
            as ingestion_lag_hours,
        coalesce(
            cast(api_calls.requested_at as date), cast(api_calls.ingested_at as date)
        ) as signal_date
    from api_calls
    left join latency_units
        on
            api_calls.api_name = latency_units.api_name
            and api_calls.api_version = latency_units.api_version
            and api_calls.call_date = latency_units.call_date
            and not api_calls.is_quarantined

),

slice_dimensions as (

    select 'all' as slice_dimension
    {%- for dimension in slice_dimensions %}
        union all
        select '{{ dimension }}' as slice_dimension
    {%- endfor %}

),

sliced as (

    select
        flagged.*,
        slice_dimensions.slice_dimension,
        case slice_dimensions.slice_dimension
            when 'all' then 'all'
            {%- for dimension in slice_dimensions %}
                when '{{ dimension }}' then flagged.{{ dimension }}
            {%- endfor %}
        end as slice_value
    from flagged
    cross join slice_dimensions
    where flagged.signal_date is not null

),

missing_columns as (

    -- the column most often missing per day and slice, for the signal's detail text
    select
        signal_date,
        slice_dimension,
        slice_value,
        quarantine_column,
        row_number() over (
            partition by signal_date, slice_dimension, slice_value
            order by count(*) desc, quarantine_column
        ) as column_rank
    from sliced
    where missing_required_row = 1
    group by signal_date, slice_dimension, slice_value, quarantine_column

),

profiled_slices as (

    select
        signal_date,
        slice_dimension,
        slice_value,
        count(*) as row_count,
        count(call_id) - count(distinct call_id) as duplicate_id_rows,
        sum(missing_required_row) as missing_required_rows,
        sum(invalid_value_row) as invalid_value_rows,
        sum(noncanonical_status_row) as noncanonical_status_rows,
        sum(latency_unit_drift_row) as latency_unit_drift_rows,
        sum(future_timestamp_row) as future_timestamp_rows,
        sum(late_arrival_row) as late_arrival_rows,
        {{ percentile_cont('ingestion_lag_hours', 0.95) }} as ingestion_lag_p95_hours
    from sliced
    where slice_value is not null
    group by signal_date, slice_dimension, slice_value

),

slice_values as (

    select distinct
        slice_dimension,
        slice_value
    from profiled_slices

),

slice_days as (

    -- every slice on every day of the log, so a slice that went silent shows as zero rows
    select
        dates.signal_date,
        slices.slice_dimension,
        slices.slice_value
    from (select distinct signal_date from profiled_slices) as dates
    cross join slice_values as slices

),

profiled as (

    select
        slice_days.signal_date,
        slice_days.slice_dimension,
        slice_days.slice_value,
        coalesce(profiled_slices.row_count, 0) as row_count,
        coalesce(profiled_slices.duplicate_id_rows, 0) as duplicate_id_rows,
        coalesce(profiled_slices.missing_required_rows, 0) as missing_required_rows,
        coalesce(profiled_slices.invalid_value_rows, 0) as invalid_value_rows,
        coalesce(profiled_slices.noncanonical_status_rows, 0) as noncanonical_status_rows,
        coalesce(profiled_slices.latency_unit_drift_rows, 0) as latency_unit_drift_rows,
        coalesce(profiled_slices.future_timestamp_rows, 0) as future_timestamp_rows,
        coalesce(profiled_slices.late_arrival_rows, 0) as late_arrival_rows,
        profiled_slices.ingestion_lag_p95_hours,
        dataset_totals.row_count as dataset_row_count
    from slice_days
    left join profiled_slices
        on
            slice_days.signal_date = profiled_slices.signal_date
            and slice_days.slice_dimension = profiled_slices.slice_dimension
            and slice_days.slice_value = profiled_slices.slice_value
    inner join profiled_slices as dataset_totals
        on
            slice_days.signal_date = dataset_totals.signal_date
            and dataset_totals.slice_dimension = 'all'

),

unpivoted as (

    {%- set measures = [
        ('required_field_null_rate', 'rows', 'missing_required_rows', 'row_count'),
        ('invalid_value_rate', 'rows', 'invalid_value_rows', 'row_count'),
        ('noncanonical_status_rate', 'status', 'noncanonical_status_rows', 'row_count'),
        ('latency_unit_drift_rate', 'latency_ms', 'latency_unit_drift_rows', 'row_count'),
        ('duplicate_id_rate', 'call_id', 'duplicate_id_rows', 'row_count'),
        ('future_timestamp_rate', 'rows', 'future_timestamp_rows', 'row_count'),
        ('late_arrival_rate', 'rows', 'late_arrival_rows', 'row_count'),
        ('ingestion_lag_p95_hours', 'rows', 'ingestion_lag_p95_hours', none),
        ('row_count_robust_z', 'rows', 'row_count', none),
        ('slice_share_ratio', 'rows', 'row_count', 'dataset_row_count'),
    ] %}
    {%- for signal_name, scope, numerator, denominator in measures %}
    {%- if not loop.first %}
            union all
        {%- endif %}
        select
            profiled.signal_date,
            profiled.slice_dimension,
            profiled.slice_value,
            '{{ signal_name }}' as signal_name,
            '{{ scope }}' as scope,
            {%- if signal_name == 'required_field_null_rate' %}
                missing_columns.quarantine_column as detail_context,
            {%- else %}
                cast(null as {{ dbt.type_string() }}) as detail_context,
            {%- endif %}
            profiled.row_count as sample_rows,
            cast(profiled.{{ numerator }} as {{ type_double() }}) as numerator,
            {%- if denominator is none %}
                cast(null as {{ type_double() }}) as denominator
            {%- else %}
                cast(profiled.{{ denominator }} as {{ type_double() }}) as denominator
            {%- endif %}
        from
            profiled
        {%- if signal_name == 'required_field_null_rate' %}
        left join missing_columns
            on
                profiled.signal_date = missing_columns.signal_date
                and profiled.slice_dimension = missing_columns.slice_dimension
                and profiled.slice_value = missing_columns.slice_value
                and missing_columns.column_rank = 1
        {%- endif %}
    {%- if signal_name == 'slice_share_ratio' %}
            where profiled.slice_dimension <> 'all'
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        'api_calls' as dataset,
        slice_dimension,
        slice_value,
        signal_name,
        scope,
        detail_context,
        sample_rows,
        numerator,
        denominator,
        signal_date
    from unpivoted

)

select * from final
