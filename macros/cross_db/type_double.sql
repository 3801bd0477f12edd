{#- An 8-byte floating-point type name. Spark rejects `double precision`, Postgres has no
    plain `double`, and dbt's `type_float` is `float` (4 bytes on some engines). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'kpi_trust')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
