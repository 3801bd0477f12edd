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
    flag. A table left from an earlier run when storing was later turned off is ignored.
    `columns`: stored_failure_columns of the tests (the table exists when it has columns). -#}
{% macro stored_failures_relation(test_node, columns) -%}
    {%- set configured = test_node.config.get('store_failures') -%}
    {%- set stores = configured if configured is not none else flags.STORE_FAILURES -%}
    {%- if not stores or test_node.config.get('store_failures_as') == 'ephemeral' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if columns.get(stored_failure_key(test_node), []) | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(api.Relation.create(
        database = test_node.database,
        schema = test_node.schema,
        identifier = test_node.alias,
    )) }}
{%- endmacro %}


{#- The columns of the tables `test_nodes` store their failures in, {stored_failure_key:
    [column names, lower case]}; a test whose table does not exist has no entry. Not dbt's
    relation cache: the test materialization creates its table without updating the cache, so
    the database is asked. On DuckDB one information_schema query for all the tests' schemas:
    asking per table (adapter.get_columns_in_relation, twice per test) cost ~9 s per model for
    ~350 tests, as much as the rest of both result models. -#}
{% macro stored_failure_columns(test_nodes) -%}
    {{ return(adapter.dispatch('stored_failure_columns', 'kpi_trust')(test_nodes)) }}
{%- endmacro %}

{% macro default__stored_failure_columns(test_nodes) -%}
    {%- set found = {} -%}
    {%- for node in test_nodes -%}
        {%- set relation = api.Relation.create(
            database = node.database, schema = node.schema, identifier = node.alias
        ) -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute = 'name')
            | map('lower') | list -%}
        {%- if names | length > 0 -%}
            {%- do found.update({stored_failure_key(node): names}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{% macro duckdb__stored_failure_columns(test_nodes) -%}
    {%- set schemas = test_nodes | map(attribute = 'schema') | unique | list -%}
    {%- if schemas | length == 0 -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set result = run_query(
        "select lower(table_catalog || '.' || table_schema || '.' || table_name), "
        ~ "lower(column_name) from information_schema.columns where table_schema in ('"
        ~ schemas | join("', '") ~ "') order by table_catalog, table_schema, table_name, "
        ~ "ordinal_position"
    ) -%}
    {%- set found = {} -%}
    {%- for row in result.rows -%}
        {%- if row[0] not in found -%}
            {%- do found.update({row[0]: []}) -%}
        {%- endif -%}
        {%- do found[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- The key of a test's stored-failures table in stored_failure_columns. -#}
{% macro stored_failure_key(test_node) -%}
    {{ return((test_node.database ~ '.' ~ test_node.schema ~ '.' ~ test_node.alias) | lower) }}
{%- endmacro %}


{#- A text literal, quotes escaped. -#}
{% macro sql_text_literal(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
