{#- Parse a raw decimal text (`12`, `-3.5`, `.5`, `1e3`) into a double; null for anything else,
    including `nan` / `inf` (which a bare cast would accept) and numbers beyond the double range
    (`1e309`, a 400-digit number), which a cast turns into +/-inf: such a value is not finite, so
    it gets the existing `unparseable_number` reason rather than a reason of its own, and no
    typed infinity ever leaves staging. -#}
{% macro parse_number(column) -%}
    case
        when {{ regex_match(column, "'^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$'") }}
            and abs({{ safe_cast(column, type_double()) }}) <= 1.7976931348623157e308
            then {{ safe_cast(column, type_double()) }}
    end
{%- endmacro %}
