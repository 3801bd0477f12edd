{#- A seed (`relation`) as a raw relation: `columns` as text plus `source_row_number` in load order. -#}
{% macro seed_raw_relation(relation, columns) -%}
    (
        select
            {%- for column in columns %}
            cast({{ column }} as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as source_line_problem,
            {{ table_row_number() }} as source_row_number
        from {{ relation }}
    )
{%- endmacro %}
