{#- The API leaf cube's actual measures: one row per value_basis x call_date x api_name x
    api_version x region x client_type x document_type with calls (a leaf-day without a row had
    none: rca_api_leaves_daily fills those zeros in for the seasonal median). value_basis
    'adjusted' counts fct_api_calls (what kpi_daily.value is computed from), 'reported' the raw
    calls as a naive query sees them (int_api_calls_reported, behind value_reported): a defect
    the warehouse repairs is visible only there. The additive measures every API KPI is built
    from: calls, successes, failures, timeouts, and per leaf the latency percentiles (null without
    calls) that the percentile KPIs are decomposed through (docs/root-cause.md). -#}
{%- set leaf_columns = ['api_name', 'api_version', 'region', 'client_type', 'document_type'] -%}

with adjusted_calls as (

    select
        'adjusted' as value_basis,
        call_date,
        coalesce(api_name, '(null)') as api_name,
        coalesce(api_version, '(null)') as api_version,
        coalesce(region, '(null)') as region,
        coalesce(client_type, '(null)') as client_type,
        coalesce(document_type, '(null)') as document_type,
        status,
        latency_ms
    from {{ ref('fct_api_calls') }}
    where call_date is not null

),

reported_calls as (

    select
        'reported' as value_basis,
        call_date,
        coalesce(api_name, '(null)') as api_name,
        coalesce(api_version, '(null)') as api_version,
        coalesce(region, '(null)') as region,
        coalesce(client_type, '(null)') as client_type,
        coalesce(document_type, '(null)') as document_type,
        status,
        latency_ms
    from {{ ref('int_api_calls_reported') }}
    where call_date is not null

),

calls as (

    select * from adjusted_calls
    union all
    select * from reported_calls

),

leaf_days as (

    select
        value_basis,
        call_date,
        {{ leaf_columns | join(', ') }},
        {{ api_call_metrics() }}
    from calls
    group by value_basis, call_date, {{ leaf_columns | join(', ') }}

),

final as (

    select * from leaf_days

)

select * from final
