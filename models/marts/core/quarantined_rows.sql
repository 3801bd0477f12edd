{#- Every quarantined raw row of the two logs, one per row: which log, its data-row number in
    the file, the first failing check (column, reason, offending raw value) and how many checks
    failed. Ground-truth label rows are not data: a bad label row is flagged in
    stg_ground_truth__injected_incidents (is_quarantined, quarantine_reason) and left out of the
    evaluation, so nothing the trust score reads depends on the labels. -#}
{%- set datasets = [
    ('api_calls', 'stg_api_gateway__api_calls', 'call_id', 'call_date'),
    ('game_events', 'stg_game_telemetry__game_events', 'event_id', 'event_date'),
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
