{#- Parse a raw integer text (`200`, `-3`; a `.0` fraction tolerated, as CSV exports of integer
    columns with nulls write them) into an integer; null for anything else. -#}
{% macro parse_integer(column) -%}
    case
        when {{ regex_match(column, "'^[+-]?[0-9]+([.]0*)?$'") }}
            then {{ safe_cast(safe_cast(column, type_double()), dbt.type_int()) }}
    end
{%- endmacro %}
