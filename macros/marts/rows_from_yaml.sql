{#- `select ... union all select ...` rows, one per mapping in `records` (a list of dicts, e.g.
    a model's YAML meta), with `columns` as text columns in that order; a missing/none value is
    a typed null, quotes are escaped. Lets YAML be the single source of a small lookup table. -#}
{% macro rows_from_yaml(records, columns) -%}
    {%- for record in records %}
    select
        {%- for column in columns %}
        {%- set text = record.get(column) %}
        {%- if text is none %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}
        {%- else %}
        cast('{{ text | string | replace("'", "''") }}' as {{ dbt.type_string() }}) as {{ column }}
        {%- endif %}
        {{- ',' if not loop.last }}
        {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
