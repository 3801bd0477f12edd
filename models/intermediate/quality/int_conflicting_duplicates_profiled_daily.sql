{#- Duplicates with conflicting content, per dataset x slice x day: valid rows whose id
    repeats with different content (another status, latency, user, revenue, time...). A replay
    repeats a row exactly and deduplication repairs it (duplicate_id_rate); a conflict has no
    right answer — deduplication keeps the copy ingested first, and the KPI depends on that
    choice — so it is its own signal, conflicting_duplicate_rate, and is not repaired.
    Ingestion time and batch are not content (a replay differs there). Copies with an
    impossible ingestion time (before the event) are quarantined in staging and never win.
    Same profile columns as int_*_profiled_daily; numerator = conflicting rows, denominator =
    valid rows of the slice-day. Incremental (DuckDB): a run profiles again the days from
    `since` on (profile_days_start) and every day holding a copy of an id copied since then. -#}
{%- set datasets = {
    'api_calls': {
        'model': 'stg_api_gateway__api_calls', 'id': 'call_id',
        'content': ['requested_at', 'api_name', 'api_version', 'region', 'client_type',
            'document_type', 'status', 'http_status', 'error_reason', 'latency_ms'],
    },
    'game_events': {
        'model': 'stg_game_telemetry__game_events', 'id': 'event_id',
        'content': ['event_at', 'user_id', 'session_id', 'event_name', 'platform', 'country',
            'acquisition_channel', 'install_date', 'level', 'revenue_usd'],
    },
} -%}
{%- set string_type = api.Column.translate_type('string') -%}
{%- set stagings = {} -%}
{%- for dataset, spec in datasets.items() -%}
    {%- do stagings.update({dataset: ref(spec.model)}) -%}
{%- endfor -%}
{%- set since = profile_days_start('signal_date', stagings) -%}

with
{%- for dataset, spec in datasets.items() %}
    {%- set dimensions = var('quality_slice_dimensions')[dataset] %}
    {%- set parts = [] %}
    {%- for column in spec.content %}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ string_type ~ "), '')") %}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif %}
    {%- endfor %}

    {{ dataset }}_rows as (

        select
            {{ dimensions | join(', ') }},
            attributed_date as signal_date,
            {{ spec.id }} as row_id,
            log_first_ingested_at
        from {{ ref(spec.model) }}
        where not is_quarantined and attributed_date is not null

    ),

    {{ copies_scope_cte(dataset ~ '_rows', dataset ~ '_scope', since) }}

    {{ dataset }}_conflicting_ids as (

        -- only an id with two or more copies can conflict: the content is hashed for those
        -- rows only (valid rows always have an id: a missing one is quarantined)
        select {{ spec.id }} as row_id
        from {{ ref(spec.model) }}
        where
            not is_quarantined
            and attributed_date is not null
            and {{ spec.id }} in (
                select repeated.row_id from {{ dataset }}_rows as repeated
                {{ in_copies_scope('repeated.row_id', dataset ~ '_scope', since) }}
                group by repeated.row_id
                having count(*) > 1
            )
        group by {{ spec.id }}
        having
            min({{ dbt.hash(dbt.concat(parts)) }}) <> max({{ dbt.hash(dbt.concat(parts)) }})

    ),

    {{ dataset }}_flagged as (

        select
            profiled_rows.*,
            case when {{ dataset }}_conflicting_ids.row_id is null then 0 else 1 end
                as conflicting_row
        from {{ dataset }}_{{ 'scope' if since else 'rows' }} as profiled_rows
        left join {{ dataset }}_conflicting_ids
            on profiled_rows.row_id = {{ dataset }}_conflicting_ids.row_id

    ),

    {{ dataset }}_profiled as (

        select
            '{{ dataset }}' as dataset,
            {{ grouping_dimension_name(dimensions) }} as slice_dimension,
            {{ grouping_dimension_value(dimensions) }} as slice_value,
            'conflicting_duplicate_rate' as signal_name,
            '{{ spec.id }}' as scope,
            cast(null as {{ dbt.type_string() }}) as detail_context,
            count(*) as sample_rows,
            cast(sum(conflicting_row) as {{ type_double() }}) as numerator,
            cast(count(*) as {{ type_double() }}) as denominator,
            signal_date,
            max(log_first_ingested_at) as log_first_ingested_at
        from {{ dataset }}_flagged
        group by {{ dimension_grouping_sets('signal_date', dimensions) }}  -- noqa: PRS
        having {{ grouping_dimension_not_null(dimensions, 'slice_value') }}

    ),
{%- endfor %}

final as (

    {%- for dataset in datasets %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select * from {{ dataset }}_profiled
    {%- endfor %}

)

select * from final
