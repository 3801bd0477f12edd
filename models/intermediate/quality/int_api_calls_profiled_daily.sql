{#- Raw quality counts of the API-call log per (signal_date, slice), one row per rate signal: the
    numerators and denominators quality_signals_daily turns into signals. Read from staging (every
    raw row, quarantined ones too, before dedup and normalisation: defects must be visible) and
    the marts' latency-unit detection, so the signal and the correction agree. signal_date = the
    row's attributed day: its call day, or its ingestion day when the call time is missing or
    implausible (the day that lost the row). Slices: every KPI dimension and client_type.
    Incremental (DuckDB): a run profiles again the days from `since` on (profile_days_start). -#}
{%- set slice_dimensions = var('quality_slice_dimensions')['api_calls'] -%}
{#- Required columns (docs/raw-schemas.md), typed: null = missing, empty or unparseable. -#}
{%- set required_columns = [
    'call_id', 'requested_at', 'api_name', 'api_version', 'region', 'client_type',
    'document_type', 'status', 'http_status', 'latency_ms', 'ingested_at', 'batch_id',
] -%}
{%- set timestamp_reasons = implausible_timestamp_reasons() -%}
{%- set staging = ref('stg_api_gateway__api_calls') -%}
{%- set since = profile_days_start(
    'signal_date', {'api_calls': staging}, staging, slice_dimensions, 'attributed_date'
) -%}

with api_calls as (

    select * from {{ staging }}
    {{ profile_rows_since(since, 'attributed_date', 'call_date') }}

),

latency_units as (

    select * from {{ ref('int_api_latency_units_detected') }}

),

flagged as (

    select
        api_calls.call_id,
        {%- for dimension in slice_dimensions %}
            api_calls.{{ dimension }},
        {%- endfor %}
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
                and api_calls.quarantine_reason not in ('{{ timestamp_reasons | join("', '") }}') -- noqa: LT05
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
        -- valid rows only: a quarantined row's bad category is counted as invalid already
        case
            when
                api_calls.unknown_category_columns is not null and not api_calls.is_quarantined
                then 1
            else 0
        end
            as unknown_category_row,
        case
            when api_calls.quarantine_reason in ('{{ timestamp_reasons | join("', '") }}') then 1 -- noqa: LT05
            else 0
        end as implausible_timestamp_row,
        case
            when api_calls.ingested_at > {{ dbt.dateadd(
                'hour', var('quality_late_hours'), 'api_calls.requested_at'
            ) }} then 1
            else 0
        end as late_arrival_row,
        -- LT05 waived: dbt.datediff renders this line past 100 characters; a double divisor:
        -- Spark types `/ 3600.0` as a decimal of 6 digits
        {{ dbt.datediff('api_calls.requested_at', 'api_calls.ingested_at', 'second') }} / cast(3600 as {{ type_double() }}) -- noqa: LT05
            as ingestion_lag_hours,
        api_calls.call_date as recorded_date,
        api_calls.attributed_date as signal_date
    from api_calls
    left join latency_units
        on
            api_calls.api_name = latency_units.api_name
            and api_calls.api_version = latency_units.api_version
            and api_calls.call_date = latency_units.call_date
            and not api_calls.is_quarantined

),

dated as (

    select * from flagged
    where signal_date is not null{% if since %} and signal_date >= date '{{ since }}'{% endif %}

),

repeated_ids as (

    {{ repeated_ids('dated', 'call_id', 'signal_date') }}

),

dated_ids as (

    {{ with_repeated_ids('dated', 'repeated_ids', 'call_id', 'signal_date') }}

),

missing_columns as (

    -- the column most often missing per day and slice, for the signal's detail text
    {{ missing_column_ranks('dated', slice_dimensions) }}  -- noqa: PRS

),

profiled_slices as (

    select
        signal_date,
        {{ grouping_dimension_name(slice_dimensions) }} as slice_dimension,
        {{ grouping_dimension_value(slice_dimensions) }} as slice_value,
        count(*) as row_count,
        count(repeated_call_id) - count(distinct repeated_call_id) as duplicate_id_rows,
        sum(missing_required_row) as missing_required_rows,
        sum(invalid_value_row) as invalid_value_rows,
        sum(noncanonical_status_row) as noncanonical_status_rows,
        sum(latency_unit_drift_row) as latency_unit_drift_rows,
        sum(unknown_category_row) as unknown_category_rows,
        sum(implausible_timestamp_row) as implausible_timestamp_rows,
        sum(late_arrival_row) as late_arrival_rows,
        {{ percentile_cont('ingestion_lag_hours', 0.95) }} as ingestion_lag_p95_hours
    from dated_ids
    group by {{ dimension_grouping_sets('signal_date', slice_dimensions) }}  -- noqa: PRS
    having {{ grouping_dimension_not_null(slice_dimensions, 'slice_value') }}

),

recorded_elsewhere as (

    {{ implausible_rows_on_recorded_day('flagged', slice_dimensions, since) }}  -- noqa: PRS

),

slice_days as (

    -- every slice on every day of the log, so a slice that went silent shows as zero rows
    {{ slice_day_grid('profiled_slices', 'signal_date', this if since else none) }}

),

profiled as (

    select
        slice_days.signal_date,
        slice_days.slice_dimension,
        slice_days.slice_value,
        {%- for column in [
            'row_count', 'duplicate_id_rows', 'missing_required_rows', 'invalid_value_rows',
            'noncanonical_status_rows', 'latency_unit_drift_rows', 'late_arrival_rows',
            'unknown_category_rows',
        ] %}
            coalesce(profiled_slices.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        coalesce(profiled_slices.implausible_timestamp_rows, 0)
        + coalesce(recorded_elsewhere.recorded_implausible_rows, 0) as implausible_timestamp_rows,
        profiled_slices.ingestion_lag_p95_hours
    from slice_days
    left join profiled_slices
        on {{ same_slice_day('slice_days', 'profiled_slices') }}
    left join recorded_elsewhere
        on {{ same_slice_day('slice_days', 'recorded_elsewhere') }}

),

{%- set measures = [
    ('required_field_null_rate', 'rows', 'missing_required_rows', 'row_count'),
    ('invalid_value_rate', 'rows', 'invalid_value_rows', 'row_count'),
    ('noncanonical_status_rate', 'status', 'noncanonical_status_rows', 'row_count'),
    ('latency_unit_drift_rate', 'latency_ms', 'latency_unit_drift_rows', 'row_count'),
    ('unknown_category_rate', 'rows', 'unknown_category_rows', 'row_count'),
    ('duplicate_id_rate', 'call_id', 'duplicate_id_rows', 'row_count'),
    ('implausible_timestamp_rate', 'rows', 'implausible_timestamp_rows', 'row_count'),
    ('late_arrival_rate', 'rows', 'late_arrival_rows', 'row_count'),
    ('ingestion_lag_p95_hours', 'rows', 'ingestion_lag_p95_hours', none),
    ('row_count_robust_z', 'rows', 'row_count', none),
] %}

final as (

    {{ unpivot_profile_measures('api_calls', measures, staged_log_start(staging)) }}

)

select * from final
