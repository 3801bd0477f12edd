{#- `measure` of a group's rows joined by `delimiter` (a SQL string literal) in the order of
    `order_by` (a column list, e.g. 'reason_rank' or 'incident_id'), nulls skipped. Give an order
    that is total within the group (a row_number, or the measure itself), so the text is the same
    on every engine and run. dbt's listagg drops the order on Spark (it warns and collects in
    arbitrary order): Spark 4 has the ordered-set listagg. -#}
{% macro ordered_listagg(measure, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'kpi_trust')(measure, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter, order_by) -%}
    {{ dbt.listagg(measure, delimiter, 'order by ' ~ order_by) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter, order_by) -%}
    listagg({{ measure }}, {{ delimiter }}) within group (order by {{ order_by }})
{%- endmacro %}
