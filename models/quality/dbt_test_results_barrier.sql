{#- Ordering only: one row per node listed in macro test_results_upstream_models, and one
    `-- depends_on` edge to each. dbt_test_results and dbt_test_failures_daily depend on this node
    alone, so `dbt build` starts them after every one of those nodes and their ancestors has
    been built and tested, and they report those tests' results of this invocation. One node
    holds the edges instead of each results model (why not an on-run-end hook: the trust score
    reads this build's test results in the same build, and on-run-end runs after it). -#}
{{ test_results_dependencies() }}

with upstream_nodes as (

    {%- for node_name in test_results_upstream_models() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select '{{ node_name }}' as node_name
    {%- endfor %}

)

select * from upstream_nodes
