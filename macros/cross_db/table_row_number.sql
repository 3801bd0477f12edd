{#- 1-based position of a row in the table it is read from, in load order (seeds are loaded in
    file order, so it is the CSV data-row number). DuckDB keeps insertion order through an empty
    window (`preserve_insertion_order`, on by default); the physical `rowid` is not usable since
    it keeps counting across a seed's delete-and-reload. Elsewhere: a row_number over the scan order. -#}
{% macro table_row_number() -%}
    {{ return(adapter.dispatch('table_row_number', 'kpi_trust')()) }}
{%- endmacro %}

{% macro default__table_row_number() -%}
    row_number() over (order by (select null))
{%- endmacro %}

{% macro duckdb__table_row_number() -%}
    row_number() over ()
{%- endmacro %}

{#- row_number is `int` on Spark, `bigint` on DuckDB: cast, so contracts see one type. -#}
{% macro spark__table_row_number() -%}
    cast(row_number() over (order by monotonically_increasing_id()) as {{ dbt.type_bigint() }})
{%- endmacro %}
