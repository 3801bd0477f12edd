{#- One row per kpi_name x kpi_date x dimension_name x dimension_value. `value` is the adjusted
    figure (from the marts: deduplicated, drift-normalised, bots and quarantined rows left out);
    `value_reported` is the same formula on the raw rows as a naive query sees them
    (int_*_reported). Each KPI: (name, dataset, value column, numerator column, denominator column)
    in the wide tables; definitions and units in kpi_definitions (YAML). Each dataset's two
    sides are joined by macro join_adjusted_reported_kpis and unpivoted by unpivot_kpis. -#}
{%- set api_kpis = [
    ('api_calls', 'calls', 'calls', none),
    ('api_success_rate', 'success_rate', 'successes', 'calls'),
    ('api_failure_rate', 'failure_rate', 'failures', 'calls'),
    ('api_timeout_rate', 'timeout_rate', 'timeouts', 'calls'),
    ('api_p50_latency_ms', 'p50_latency_ms', none, none),
    ('api_p95_latency_ms', 'p95_latency_ms', none, none),
    ('api_p99_latency_ms', 'p99_latency_ms', none, none),
] -%}
{%- set game_kpis = [
    ('dau', 'dau', 'dau', none),
    ('new_users', 'new_users', 'new_users', none),
    ('sessions', 'sessions', 'sessions', none),
    ('purchasers', 'purchasers', 'purchasers', none),
    ('purchases', 'purchases', 'purchases', none),
    ('revenue_usd', 'revenue_usd', 'revenue_usd', none),
    ('conversion_rate', 'conversion_rate', 'purchasers', 'dau'),
    ('arpdau', 'arpdau', 'revenue_usd', 'dau'),
    ('arppu', 'arppu', 'revenue_usd', 'purchasers'),
    ('d1_retention', 'd1_retention', 'd1_retained_users', 'new_users'),
    ('levels_completed', 'levels_completed', 'levels_completed', none),
] -%}
{%- set api_dimensions = ['api_name', 'region', 'document_type'] -%}
{%- set game_dimensions = ['platform', 'country', 'acquisition_channel'] -%}
{%- set api_start = incremental_lookback_start('kpi_date') if is_incremental() else none -%}
{%- set game_start = api_start -%}

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

    {{ api_daily_rollup(ref('int_api_calls_reported'), api_dimensions, start_date=api_start) }}

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
        {{ game_daily_kpis(
            ref('int_game_events_reported'), game_dimensions, start_date=game_start
        ) }}
    ) as reported_kpis

),

{%- for dataset, kpis in [('api_calls', api_kpis), ('game_events', game_kpis)] %}
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
