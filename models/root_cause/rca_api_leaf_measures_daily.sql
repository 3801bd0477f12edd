{#- The API leaf cube's actual measures: one row per call_date x api_name x api_version x region
    x client_type x document_type with calls in fct_api_calls (a leaf-day without a row had
    none: rca_api_leaves_daily fills those zeros in for the seasonal median). The additive
    measures every API KPI is built from: calls, successes, failures, timeouts, and per leaf the
    latency percentiles (null without calls) that the percentile KPIs are decomposed through
    (docs/root-cause.md, "Percentile KPIs"). -#}
{%- set leaf_columns = ['api_name', 'api_version', 'region', 'client_type', 'document_type'] -%}

with calls as (

    select
        call_date,
        {%- for column in leaf_columns %}
        coalesce({{ column }}, '(null)') as {{ column }},
        {%- endfor %}
        status,
        latency_ms
    from {{ ref('fct_api_calls') }}
    where call_date is not null

),

leaf_days as (

    select
        call_date,
        {{ leaf_columns | join(', ') }},
        {{ api_call_metrics() }}
    from calls
    group by call_date, {{ leaf_columns | join(', ') }}

),

final as (

    select * from leaf_days

)

select * from final
