{#- One row per dbt test per invocation, history kept (append per invocation; never rebuilt
    by --full-refresh: config in dbt_project.yml). Built in the same `dbt build` as the data it
    judges: the ordering node dbt_test_results_barrier puts it after the tested models and
    their tests. -#}
-- depends_on: {{ ref('dbt_test_results_barrier') }}

with test_results as (

    {{ test_results_sql() }}

),

final as (

    select * from test_results

)

select * from final
