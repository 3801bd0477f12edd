{#- The API leaf cube's actual measures: one row per value_basis x call_date x api_name x
    api_version x region x client_type x document_type with calls (a leaf-day without a row had
    none: rca_api_leaves_daily fills those zeros in for the seasonal median). value_basis
    'adjusted' counts fct_api_calls (what kpi_daily.value is computed from), 'reported' the raw
    calls as a naive query sees them (int_api_calls_reported, behind value_reported): a defect
    the warehouse repairs is visible only there. The additive measures every API KPI is built
    from: calls, successes, failures, timeouts, and per leaf the latency percentiles (null without
    calls) that the percentile KPIs are decomposed through (docs/root-cause.md). Incremental by
    day on DuckDB, as the marts: a run recomputes the last var('lookback_days') days. -#}
{%- set leaf_columns = ['api_name', 'api_version', 'region', 'client_type', 'document_type'] -%}

{#- adjusted: what kpi_daily.value is computed from; reported: behind value_reported -#}
{%- set basis_models = {'adjusted': 'fct_api_calls', 'reported': 'int_api_calls_reported'} -%}

with calls as (

    {%- for value_basis, model_name in basis_models.items() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ value_basis }}' as value_basis,
            call_date,
            {%- for column in leaf_columns %}
                coalesce({{ column }}, '(null)') as {{ column }},
            {%- endfor %}
            status,
            latency_ms
        from {{ ref(model_name) }}
        where call_date is not null
    {%- endfor %}

),

computed_calls as (

    select * from calls
    {%- if is_incremental() %}
        where call_date >= {{ incremental_lookback_start('call_date') }}
    {%- endif %}

),

leaf_days as (

    select
        value_basis,
        call_date,
        {{ leaf_columns | join(', ') }},
        {{ api_call_metrics() }}
    from computed_calls
    group by value_basis, call_date, {{ leaf_columns | join(', ') }}

),

final as (

    select * from leaf_days

)

select * from final
