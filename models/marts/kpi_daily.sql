{{
    config(
        materialized='incremental',
        unique_key='kpi_date',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
        partition_by=(['kpi_date'] if target.type == 'spark' else none),
        on_schema_change='fail',
    )
}}

{#- One row per kpi_name x kpi_date x dimension_name x dimension_value. `value` is the adjusted
    figure (from the marts: deduplicated, drift-normalised, bots and quarantined rows left out);
    `value_reported` is the same formula on the raw rows as a naive query sees them
    (int_*_reported). Each KPI: (name, dataset, value column, numerator column, denominator column)
    in the wide tables; definitions and units in kpi_definitions (YAML). -#}
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

        select
            coalesce(adjusted.kpi_date, reported.kpi_date) as kpi_date,
            coalesce(adjusted.dimension_name, reported.dimension_name) as dimension_name,
            coalesce(adjusted.dimension_value, reported.dimension_value) as dimension_value,
            {%- for kpi_name, value_column, numerator, denominator in kpis %}
                adjusted.{{ value_column }} as {{ kpi_name }}__value,
                reported.{{ value_column }} as {{ kpi_name }}__value_reported,
                {%- set adjusted_numerator = (
                    'adjusted.' ~ numerator if numerator else 'null'
                ) %}
                {%- set reported_numerator = (
                    'reported.' ~ numerator if numerator else 'null'
                ) %}
                {%- set adjusted_denominator = (
                    'adjusted.' ~ denominator if denominator else 'null'
                ) %}
                {%- set reported_denominator = (
                    'reported.' ~ denominator if denominator else 'null'
                ) %}
                {{ adjusted_numerator }} as {{ kpi_name }}__numerator,
                {{ reported_numerator }} as {{ kpi_name }}__numerator_reported,
                {{ adjusted_denominator }} as {{ kpi_name }}__denominator,
                {{ reported_denominator }} as {{ kpi_name }}__denominator_reported
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ prefix }}_adjusted as adjusted
        full outer join {{ prefix }}_reported as reported
            on
                adjusted.kpi_date = reported.kpi_date
                and adjusted.dimension_name = reported.dimension_name
                and adjusted.dimension_value = reported.dimension_value

    ),

    {{ prefix }}_long as (
        {%- for kpi_name, value_column, numerator, denominator in kpis %}

            select
                '{{ kpi_name }}' as kpi_name,
                '{{ dataset }}' as dataset,
                dimension_name,
                dimension_value,
                -- `value` is a column of kpi_daily's enforced contract, so RF04 is waived
                cast({{ kpi_name }}__value as {{ type_double() }}) as value, -- noqa: RF04
                cast({{ kpi_name }}__value_reported as {{ type_double() }}) as value_reported,
                cast({{ kpi_name }}__numerator as {{ type_double() }}) as numerator,
                cast({{ kpi_name }}__denominator as {{ type_double() }}) as denominator,
                cast(
                    {{ kpi_name }}__numerator_reported as {{ type_double() }}
                ) as numerator_reported,
                cast(
                    {{ kpi_name }}__denominator_reported as {{ type_double() }}
                ) as denominator_reported,
                kpi_date
            from {{ prefix }}_joined
            {%- if not loop.last %}

                union all
            {%- endif %}
        {%- endfor %}

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
