{#- SQL for `dbt_test_results`: one row per reportable test of this invocation (see
    reportable_test_nodes). `failures` is the test's own `fail_calc` over the rows it stored
    this run; `status` re-applies its severity / warn_if / error_if exactly as dbt's test
    materialization does. Rows stamped by an earlier invocation (a date-aware test's table
    that was not rebuilt) are never counted: the test gets status 'stale'. A test that keeps
    no stored failures gets status 'unknown' and null failures. -#}
{% macro test_results_sql() -%}
    {%- set selects = [] -%}
    {%- if execute -%}
        {%- set test_nodes = reportable_test_nodes() -%}
        {%- set columns = stored_failure_columns(test_nodes) -%}
        {%- for test_node in test_nodes -%}
            {%- do selects.append(test_result_select(test_node, columns)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if selects | length == 0 -%}
        {%- do selects.append(test_result_select(none)) -%}
    {%- endif -%}
    {{ selects | join('\n    union all\n') }}
{%- endmacro %}


{% macro test_result_select(test_node, columns = {}) -%}
    {%- set info = test_node_info(test_node, columns) -%}
    {%- set relation = info.relation -%}
    select
        {{ sql_text_literal(invocation_id) }} as invocation_id,
        {{ sql_text_literal(info.unique_id) }} as test_unique_id,
        {{ sql_text_literal(info.name) }} as test_name,
        {{ sql_text_literal(info.test_type) }} as test_type,
        {{ sql_text_literal(info.tested_model) }} as tested_model,
        {{ sql_text_literal(info.tested_column) }} as tested_column,
        {{ sql_text_literal(info.date_column) }} as date_column,
        {{ sql_text_literal(info.severity) }} as severity,
        {{ sql_text_literal(info.warn_if) }} as warn_if,
        {{ sql_text_literal(info.error_if) }} as error_if,
        {%- if relation is none %}
        'unknown' as status,
        {{ sql_text_literal(none) }} as stored_failures_relation,
        cast(null as {{ dbt.type_bigint() }}) as failures,
        cast(null as {{ dbt.type_bigint() }}) as stored_rows,
        false as has_stored_failures,
        {%- else %}
        case
            when stored.stale_rows > 0 then 'stale'
            when {{ sql_text_literal(info.severity) }} = 'error'
                and stored.failures {{ info.error_if }} then 'fail'
            when stored.failures {{ info.warn_if }} then 'warn'
            else 'pass'
        end as status,
        {{ sql_text_literal(relation | string) }} as stored_failures_relation,
        cast(stored.failures as {{ dbt.type_bigint() }}) as failures,
        cast(stored.stored_rows as {{ dbt.type_bigint() }}) as stored_rows,
        true as has_stored_failures,
        {%- endif %}
        {{ "true" if info.has_failure_date else "false" }} as has_failure_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
            as run_started_at
    {%- if test_node is none %}
    where 1 = 0
    {%- elif relation is not none %}
    from (
        select
            current_rows.failures,
            current_rows.stored_rows,
            other_rows.stale_rows
        from (
            select
                {{ info.fail_calc }} as failures,
                count(*) as stored_rows
            from {{ relation }}
            {%- if info.has_invocation_id %}
            where invocation_id = {{ sql_text_literal(invocation_id) }}
            {%- endif %}
        ) as current_rows
        cross join (
            {%- if info.has_invocation_id %}
            select count(*) as stale_rows
            from {{ relation }}
            where invocation_id <> {{ sql_text_literal(invocation_id) }}
            {%- else %}
            select 0 as stale_rows
            {%- endif %}
        ) as other_rows
    ) as stored
    {%- endif %}
{%- endmacro %}


{#- SQL for `dbt_test_failures_daily`: failing rows per day for every reportable test whose
    stored failures carry `failure_date` (the project's *_by_day generic tests), counting only
    rows this invocation stored. A null failure_date means the failing rows had no date. -#}
{% macro test_failures_daily_sql() -%}
    {%- set selects = [] -%}
    {%- if execute -%}
        {%- set test_nodes = reportable_test_nodes() -%}
        {%- set columns = stored_failure_columns(test_nodes) -%}
        {%- for test_node in test_nodes -%}
            {%- set info = test_node_info(test_node, columns) -%}
            {%- if info.relation is not none and info.has_failure_date -%}
                {%- do selects.append(test_failures_daily_select(info)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if selects | length == 0 -%}
        {%- do selects.append(test_failures_daily_select(none)) -%}
    {%- endif -%}
    {{ selects | join('\n    union all\n') }}
{%- endmacro %}


{% macro test_failures_daily_select(info) -%}
    {%- set info = info if info is not none else test_node_info(none) -%}
    select
        {{ sql_text_literal(invocation_id) }} as invocation_id,
        {{ sql_text_literal(info.unique_id) }} as test_unique_id,
        {{ sql_text_literal(info.name) }} as test_name,
        {{ sql_text_literal(info.test_type) }} as test_type,
        {{ sql_text_literal(info.tested_model) }} as tested_model,
        {{ sql_text_literal(info.tested_column) }} as tested_column,
        {{ sql_text_literal(info.severity) }} as severity,
        {%- if info.relation is none %}
        cast(null as {{ dbt.type_bigint() }}) as failing_rows,
        cast(null as date) as failure_date,
        {%- else %}
        cast(count(*) as {{ dbt.type_bigint() }}) as failing_rows,
        failure_date,
        {%- endif %}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
            as run_started_at
    {%- if info.relation is none %}
    where 1 = 0
    {%- else %}
    from {{ info.relation }}
    {%- if info.has_invocation_id %}
    where invocation_id = {{ sql_text_literal(invocation_id) }}
    {%- endif %}
    group by failure_date
    {%- endif %}
{%- endmacro %}


{#- Everything the result queries need to know about one test node (or empty values for
    none, which the queries use to render a typed empty select); `columns`:
    stored_failure_columns of the tests. -#}
{% macro test_node_info(test_node, columns = {}) -%}
    {%- if test_node is none -%}
        {{ return({
            'unique_id': none, 'name': none, 'test_type': none, 'tested_model': none,
            'tested_column': none, 'date_column': none, 'severity': none, 'warn_if': none,
            'error_if': none, 'fail_calc': 'count(*)', 'relation': none,
            'has_invocation_id': false, 'has_failure_date': false,
        }) }}
    {%- endif -%}
    {%- set metadata = test_node.get('test_metadata') or {} -%}
    {%- set kwargs = metadata.get('kwargs') or {} -%}
    {%- set attached_id = test_node.get('attached_node') or test_node.depends_on.nodes[0] -%}
    {%- set attached = graph.nodes.get(attached_id) or graph.sources.get(attached_id) or {} -%}
    {%- set relation = stored_failures_relation(test_node, columns) -%}
    {%- set column_names = columns.get(stored_failure_key(test_node), []) if relation is not none
        else [] -%}
    {{ return({
        'unique_id': test_node.unique_id,
        'name': test_node.name,
        'test_type': metadata.get('name') or 'singular',
        'tested_model': attached.get('name') or attached_id,
        'tested_column': test_node.get('column_name') or kwargs.get('column_name'),
        'date_column': kwargs.get('date_column'),
        'severity': (test_node.config.get('severity') or 'error') | lower,
        'warn_if': test_node.config.get('warn_if') or '!= 0',
        'error_if': test_node.config.get('error_if') or '!= 0',
        'fail_calc': test_node.config.get('fail_calc') or 'count(*)',
        'relation': relation,
        'has_invocation_id': 'invocation_id' in column_names,
        'has_failure_date': 'failure_date' in column_names,
    }) }}
{%- endmacro %}
