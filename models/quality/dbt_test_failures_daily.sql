{#- Failing rows per day per date-aware test per invocation, history kept. Same
    invocation guarantee as dbt_test_results (same depends_on lines). -#}
{{
    config(
        materialized = 'incremental',
        incremental_strategy = ('append' if target.type == 'spark' else 'delete+insert'),
        unique_key = ['invocation_id', 'test_unique_id', 'failure_date'],
        full_refresh = false,
        on_schema_change = 'append_new_columns',
    )
}}
{{ test_results_dependencies() }}

with test_failures as (

    {{ test_failures_daily_sql() }}

),

final as (

    select * from test_failures

)

select * from final
