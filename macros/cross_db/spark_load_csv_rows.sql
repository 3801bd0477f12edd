{#- Overrides dbt-spark's seed loader (the root project's `spark__load_csv_rows` comes first in
    dbt's dispatch). dbt-spark 1.11's session method puts each CSV value into the SQL text
    unescaped (an apostrophe in seeds/quality_thresholds.csv breaks the statement) and writes an
    empty cell as the text 'None', which would defeat every missing-value check. Here every value
    is a Spark string literal (spark_string_literal) cast to the column's type, and an empty
    cell is null, as dbt-duckdb loads it. Only the lookup seeds load this way: raw logs are read
    as files on Spark (raw_source 'files', docs/spark.md). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        cast({{ spark_string_literal(value) }} as {{ types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
            ){%- if not loop.last %},{% endif %}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log = true) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
