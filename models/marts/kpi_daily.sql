{#- One row per kpi_name x kpi_date x dimension_name x dimension_value. `value` is the adjusted
    figure, read from the mart each KPI's YAML names (model_name.column_name in
    _marts__models.yml: api_performance_rollup_daily, game_kpis_daily); `value_reported` is the
    same formula (the same macros) on the raw rows as a naive query sees them (int_*_reported).
    The KPI list, columns and units come from the YAML (macro kpi_value_columns); each dataset's
    two sides are joined by macro join_adjusted_reported_kpis and unpivoted by unpivot_kpis. -#}
{%- set kpis_by_dataset = {
    'api_calls': kpi_value_columns('api_calls', 'api_performance_rollup_daily'),
    'game_events': kpi_value_columns('game_events', 'game_kpis_daily'),
} -%}
{%- set api_dimensions = ['api_name', 'region', 'document_type'] -%}
{%- set game_dimensions = ['platform', 'country', 'acquisition_channel'] -%}
{%- set api_start = incremental_lookback_start('kpi_date') if is_incremental() else none -%}
{%- set game_start = api_start -%}
{%- set api_reported_rows = ref('int_api_calls_reported') -%}
{%- set game_reported_rows = ref('int_game_events_reported') -%}

with kpi_definitions as (

    select * from {{ ref('kpi_definitions') }}

),

api_adjusted as (

    select
        call_date as kpi_date,
        dimension_name,
        dimension_value,
        calls,
        successes,
        failures,
        timeouts,
        success_rate,
        failure_rate,
        timeout_rate,
        p50_latency_ms,
        p95_latency_ms,
        p99_latency_ms
    from {{ ref('api_performance_rollup_daily') }}
    {%- if is_incremental() %}
        where call_date >= {{ api_start }}
    {%- endif %}

),

api_reported_counts as (

    {{ api_daily_rollup(api_reported_rows, api_dimensions, start_date=api_start) }}  -- noqa: PRS

),

api_reported as (

    select
        call_date as kpi_date,
        dimension_name,
        dimension_value,
        calls,
        successes,
        failures,
        timeouts,
        {{ api_call_rates() }},
        p50_latency_ms,
        p95_latency_ms,
        p99_latency_ms
    from api_reported_counts

),

game_adjusted as (

    select
        event_date as kpi_date,
        dimension_name,
        dimension_value,
        dau,
        new_users,
        sessions,
        purchasers,
        purchases,
        revenue_usd,
        levels_completed,
        d1_retained_users,
        conversion_rate,
        arpdau,
        arppu,
        d1_retention
    from {{ ref('game_kpis_daily') }}
    {%- if is_incremental() %}
        where event_date >= {{ game_start }}
    {%- endif %}

),

game_reported as (

    select
        event_date as kpi_date,
        dimension_name,
        dimension_value,
        dau,
        new_users,
        sessions,
        purchasers,
        purchases,
        revenue_usd,
        levels_completed,
        d1_retained_users,
        conversion_rate,
        arpdau,
        arppu,
        d1_retention
    from (
        {{ game_daily_kpis(game_reported_rows, game_dimensions, game_start) }}  -- noqa: PRS
    ) as reported_kpis

),

{%- for dataset, kpis in kpis_by_dataset.items() %}
    {%- set prefix = 'api' if dataset == 'api_calls' else 'game' %}

    {{ prefix }}_joined as (

        {{ join_adjusted_reported_kpis(prefix ~ '_adjusted', prefix ~ '_reported', kpis) }}

    ),

    {{ prefix }}_long as (

        {{ unpivot_kpis(prefix ~ '_joined', dataset, kpis) }}

    ),
{%- endfor %}

all_kpis as (

    select * from api_long
    union all
    select * from game_long

),

final as (

    select
        all_kpis.kpi_name,
        all_kpis.dataset,
        all_kpis.dimension_name,
        all_kpis.dimension_value,
        kpi_definitions.unit,
        all_kpis.value,
        all_kpis.value_reported,
        all_kpis.numerator,
        all_kpis.denominator,
        all_kpis.numerator_reported,
        all_kpis.denominator_reported,
        all_kpis.kpi_date
    from all_kpis
    left join kpi_definitions
        on all_kpis.kpi_name = kpi_definitions.kpi_name

)

select * from final
