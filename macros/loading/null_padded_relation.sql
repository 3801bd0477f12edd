{#- Raw relation `relation` (a subquery) plus each of `columns` as null text: the optional
    raw columns an older file lacks. -#}
{% macro null_padded_relation(relation, columns) -%}
    {%- if columns | length == 0 -%}
        {{ return(relation) }}
    {%- endif -%}
    (
        select
            padded.*,
            {%- for column in columns %}
            cast(null as {{ dbt.type_string() }}) as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ relation }} as padded
    )
{%- endmacro %}
