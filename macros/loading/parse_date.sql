{#- Parse a raw `YYYY-MM-DD` text into a date; null for any other shape, an impossible date, or
    a year outside 1000-9998 (see parse_utc_timestamp: Python cannot hold year 0000). -#}
{% macro parse_date(column) -%}
    case
        when {{ regex_match(column, "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'") }}
            and {{ regex_match(column, "'" ~ year_1000_to_9998_pattern() ~ "'") }}
            then {{ safe_cast(column, 'date') }}
    end
{%- endmacro %}
