{#- Post-hook of the incremental Python models (DuckDB): drop the `<model>__dbt_tmp<timestamp>`
    tables their runs leave. dbt-duckdb's Python writer creates the incremental run's "temporary"
    relation as a plain table and the materialization then skips dropping it (it expects a TEMP
    table), so without this each incremental run added one table per Python model to the
    model's schema. Drops every leftover of the model, from earlier runs too. -#}
{% macro drop_python_model_temp_tables() -%}
    {%- if execute and target.type == 'duckdb' and model.language == 'python' -%}
        {%- set prefix = this.identifier ~ '__dbt_tmp' -%}
        {%- set found = run_query(
            "select table_name from information_schema.tables where table_catalog = '"
            ~ this.database ~ "' and table_schema = '" ~ this.schema
            ~ "' and starts_with(table_name, '" ~ prefix ~ "')"
        ) -%}
        {%- for row in found.rows %}
            drop table if exists {{ this.database }}.{{ this.schema }}.{{ adapter.quote(row[0]) }};
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
