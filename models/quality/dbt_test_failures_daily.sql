{#- Failing rows per day per date-aware test per invocation, history kept. Same
    invocation guarantee as dbt_test_results (after the same ordering node). -#}
-- depends_on: {{ ref('dbt_test_results_barrier') }}

with test_failures as (

    {{ test_failures_daily_sql() }}

),

final as (

    select * from test_failures

)

select * from final
