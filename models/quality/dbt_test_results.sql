{#- One row per dbt test per invocation, history kept (append per invocation; never
    rebuilt by --full-refresh). Built in the same `dbt build` as the data it judges: the
    depends_on lines below put this model after the tested models and their tests. -#}
{{
    config(
        materialized = 'incremental',
        incremental_strategy = ('append' if target.type == 'spark' else 'delete+insert'),
        unique_key = ['invocation_id', 'test_unique_id'],
        full_refresh = false,
        on_schema_change = 'append_new_columns',
    )
}}
{{ test_results_dependencies() }}

with test_results as (

    {{ test_results_sql() }}

),

final as (

    select * from test_results

)

select * from final
