{#- Rates from the counts of api_call_metrics: share of calls with each status (null for zero calls). -#}
{% macro api_call_rates() -%}
    cast(successes as {{ type_double() }}) / nullif(calls, 0) as success_rate,
    cast(failures as {{ type_double() }}) / nullif(calls, 0) as failure_rate,
    cast(timeouts as {{ type_double() }}) / nullif(calls, 0) as timeout_rate
{%- endmacro %}
