{#- One row per dbt test per invocation, history kept (append per invocation; never
    rebuilt by --full-refresh: config in dbt_project.yml). Built in the same `dbt build` as the data it judges: the
    depends_on lines below put this model after the tested models and their tests. -#}
{{ test_results_dependencies() }}

with test_results as (

    {{ test_results_sql() }}

),

final as (

    select * from test_results

)

select * from final
