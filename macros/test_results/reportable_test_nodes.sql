{#- Test nodes (from the `graph` context) whose result the calling model may report as
    this invocation's: the test is in `selected_resources` (it was part of this command) and
    every node it tests is an ancestor of the calling model. In `dbt build`, a model starts
    only after the tests of its ancestors finished with pass or warn (a failing error-severity
    test skips the descendants), so these tests all ran in this invocation. Tests on the
    calling model's descendants (the trust models) are left out: a model cannot depend on its
    own descendants. Only meaningful when `execute` is true. -#}
{% macro reportable_test_nodes() -%}
    {%- set ancestors = [] -%}
    {%- set state = namespace(frontier = model.depends_on.nodes | list) -%}
    {%- for _ in range(1000) if state.frontier | length > 0 -%}
        {%- set next_frontier = [] -%}
        {%- for unique_id in state.frontier if unique_id not in ancestors -%}
            {%- do ancestors.append(unique_id) -%}
            {%- set parent = graph.nodes.get(unique_id) -%}
            {%- if parent is not none -%}
                {%- do next_frontier.extend(parent.depends_on.nodes) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set state.frontier = next_frontier -%}
    {%- endfor -%}

    {%- set tests = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute = 'unique_id') -%}
        {%- if node.resource_type == 'test'
            and node.unique_id in selected_resources
            and node.depends_on.nodes | length > 0 -%}
            {%- set tested = node.depends_on.nodes | reject('in', ancestors) | list -%}
            {%- if tested | length == 0 -%}
                {%- do tests.append(node) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tests) }}
{%- endmacro %}


{#- Where a test stored its failing rows this run (a relation that exists), or none. Mirrors dbt's
    should_store_failures(): the node's `store_failures` config, else the --store-failures
    flag. A table left from an earlier run when storing was later turned off is ignored. -#}
{% macro stored_failures_relation(test_node) -%}
    {%- set configured = test_node.config.get('store_failures') -%}
    {%- set stores = configured if configured is not none else flags.STORE_FAILURES -%}
    {%- if not stores or test_node.config.get('store_failures_as') == 'ephemeral' -%}
        {{ return(none) }}
    {%- endif -%}
    {#- Not adapter.get_relation: the test materialization creates its table without
        updating dbt's relation cache, so the cache does not know it. Ask the database. -#}
    {%- set relation = api.Relation.create(
        database = test_node.database,
        schema = test_node.schema,
        identifier = test_node.alias,
    ) -%}
    {%- if adapter.get_columns_in_relation(relation) | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}


{#- A text literal, quotes escaped. -#}
{% macro sql_text_literal(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
