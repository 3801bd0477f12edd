{#- Parse a raw decimal text (`12`, `-3.5`, `.5`, `1e3`) into a double; null for anything else,
    including `nan` / `inf`, which a bare cast would accept. -#}
{% macro parse_number(column) -%}
    case
        when {{ regex_match(column, "'^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$'") }}
            then {{ safe_cast(column, type_double()) }}
    end
{%- endmacro %}
