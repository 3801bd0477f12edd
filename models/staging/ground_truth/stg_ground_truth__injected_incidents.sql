{%- set missing = 'missing_required_value' -%}
{%- set checks = [
    {'when': 'source_line_problem is not null', 'column': 'source_line', 'reason': 'malformed_line'},
    {'when': 'incident_id is null', 'column': 'incident_id', 'reason': missing},
    {'when': 'dataset is null', 'column': 'dataset', 'reason': missing},
    {'when': "dataset not in ('api_calls', 'game_events')", 'column': 'dataset', 'reason': 'unknown_dataset'},
    {'when': 'category is null', 'column': 'category', 'reason': missing},
    {'when': "category not in ('data_quality', 'business')", 'column': 'category', 'reason': 'unknown_category'},
    {'when': 'incident_type is null', 'column': 'incident_type', 'reason': missing},
    {'when': 'start_at_text is null', 'column': 'start_at', 'reason': missing},
    {'when': 'start_at is null', 'column': 'start_at', 'reason': 'unparseable_timestamp'},
    {'when': 'end_at_text is null', 'column': 'end_at', 'reason': missing},
    {'when': 'end_at is null', 'column': 'end_at', 'reason': 'unparseable_timestamp'},
    {'when': 'end_at <= start_at', 'column': 'end_at', 'reason': 'empty_window'},
    {'when': 'slice_dimension is null', 'column': 'slice_dimension', 'reason': missing},
    {'when': 'slice_value is null', 'column': 'slice_value', 'reason': missing},
    {'when': 'affected_kpis is null', 'column': 'affected_kpis', 'reason': missing},
    {'when': 'magnitude_text is not null and magnitude is null', 'column': 'magnitude', 'reason': 'unparseable_number'},
    {'when': 'is_repairable_text is not null and is_repairable is null', 'column': 'is_repairable', 'reason': 'unparseable_boolean'},
] -%}

with source as (

    select * from {{ raw_relation('injected_incidents') }}

),

trimmed as (

    select
        source_row_number,
        source_line_problem,
        {{ trimmed_raw_columns('injected_incidents') }}
    from source

),

typed as (

    select
        *,
        incident_id_text as incident_id,
        lower(dataset_text) as dataset,
        lower(category_text) as category,
        lower(incident_type_text) as incident_type,
        lower(slice_dimension_text) as slice_dimension,
        slice_value_text as slice_value,
        lower(affected_kpis_text) as affected_kpis,
        description_text as description,
        {{ parse_number('magnitude_text') }} as magnitude,
        {{ parse_boolean('is_repairable_text') }} as is_repairable,
        root_cause_text as root_cause,
        {{ parse_utc_timestamp('start_at_text') }} as start_at,
        {{ parse_utc_timestamp('end_at_text') }} as end_at
    from trimmed

),

flagged as (

    select
        *,
        {{ quarantine_columns(checks) }}
    from typed

),

final as (

    select
        source_row_number,
        incident_id,
        dataset,
        category,
        incident_type,
        slice_dimension,
        slice_value,
        root_cause,
        affected_kpis,
        description,
        quarantine_reason,
        quarantine_column,
        {{ quarantine_value('injected_incidents') }} as quarantine_value,
        magnitude,
        quarantine_check_count,
        is_repairable,
        quarantine_reason is not null as is_quarantined,
        start_at,
        end_at
    from flagged

)

select * from final
