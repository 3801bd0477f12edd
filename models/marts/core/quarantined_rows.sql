{#- Every quarantined raw row, one per row: which log, its data-row number in the file, the
    first failing check (column, reason, offending raw value) and how many checks failed. -#}
{%- set datasets = [
    ('api_calls', 'stg_api_gateway__api_calls', 'call_id', 'call_date'),
    ('game_events', 'stg_game_telemetry__game_events', 'event_id', 'event_date'),
    ('injected_incidents', 'stg_ground_truth__injected_incidents', 'incident_id', 'cast(start_at as date)'),
] -%}

with
{%- for dataset, model, id_column, date_expression in datasets %}

{{ dataset }} as (

    select
        '{{ dataset }}' as dataset,
        {{ id_column }} as record_id,
        quarantine_column,
        quarantine_reason,
        quarantine_value,
        source_row_number,
        quarantine_check_count,
        {{ date_expression }} as record_date
    from {{ ref(model) }}
    where is_quarantined

),
{%- endfor %}

final as (

    {%- for dataset in datasets %}
    select * from {{ dataset[0] }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from final
