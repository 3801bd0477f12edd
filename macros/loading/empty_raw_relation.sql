{#- An empty raw relation with `columns` as text (labels missing or disabled). -#}
{% macro empty_raw_relation(columns) -%}
    (
        select
            {%- for column in columns %}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as source_line_problem,
            cast(null as {{ dbt.type_bigint() }}) as source_row_number
        where 1 = 0
    )
{%- endmacro %}
