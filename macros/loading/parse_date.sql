{#- Parse a raw `YYYY-MM-DD` text into a date; null for any other shape or an impossible date. -#}
{% macro parse_date(column) -%}
    case
        when {{ regex_match(column, "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'") }}
            then {{ safe_cast(column, 'date') }}
    end
{%- endmacro %}
