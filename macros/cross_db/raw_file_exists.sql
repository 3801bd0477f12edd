{#- Whether a file matching `path` exists, asked of the engine at run time (false while dbt
    parses). Used for the optional labels file in files mode. -#}
{% macro raw_file_exists(path) -%}
    {{ return(adapter.dispatch('raw_file_exists', 'kpi_trust')(path)) }}
{%- endmacro %}

{% macro default__raw_file_exists(path) -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__raw_file_exists(path) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set result = run_query("select count(*) from glob('" ~ path ~ "')") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- Spark: list the file's folder with the binaryFile source filtered to the file's name (only
    the path column is read, not the contents); a missing folder is an error, a missing file
    0 rows. -#}
{% macro spark__raw_file_exists(path) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set folder, name = path.rsplit('/', 1) if '/' in path else ['.', path] -%}
    {%- set view = 'kpi_trust_exists_' ~ local_md5(path) -%}
    {%- do run_query(
        "create or replace temporary view " ~ view ~ " using binaryFile options (path "
        ~ spark_string_literal(folder) ~ ", pathGlobFilter " ~ spark_string_literal(name) ~ ")"
    ) -%}
    {%- set result = run_query("select count(*) from (select path from " ~ view ~ ") as files") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}
