{#- The columns of each raw log, in file order, as docs/design.md section 1 fixes them. -#}
{% macro raw_columns(name) -%}
    {%- set columns = {
        'api_calls': [
            'call_id', 'requested_at', 'api_name', 'api_version', 'region', 'client_type',
            'document_type', 'status', 'http_status', 'error_reason', 'latency_ms',
            'ingested_at', 'batch_id'
        ],
        'game_events': [
            'event_id', 'user_id', 'session_id', 'event_name', 'event_at', 'platform', 'country',
            'acquisition_channel', 'install_date', 'level', 'revenue_usd', 'ingested_at',
            'batch_id'
        ],
        'injected_incidents': [
            'incident_id', 'dataset', 'category', 'incident_type', 'start_at', 'end_at',
            'slice_dimension', 'slice_value', 'affected_kpis', 'magnitude', 'description',
            'is_repairable', 'root_cause'
        ],
    } -%}
    {%- if name not in columns -%}
        {{ exceptions.raise_compiler_error("raw_columns: unknown raw table '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(columns[name]) }}
{%- endmacro %}
