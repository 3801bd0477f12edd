{#- Parse a raw UTC timestamp text (`YYYY-MM-DD HH:MM:SS[.ffffff]`, a `T` separator and a
    trailing `Z` / `+00:00` / `+0000` accepted) into a timestamp; null when the text does not have
    that shape or is not a real instant (e.g. hour 25). Other offsets are rejected, not guessed. -#}
{% macro parse_utc_timestamp(column) -%}
    {{ safe_cast(
        regex_extract(column, "'^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]'", 1)
        ~ " || ' ' || "
        ~ regex_extract(column, "'^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]([0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?)(Z|[+]00(:?00)?)?$'", 1),
        dbt.type_timestamp()
    ) }}
{%- endmacro %}
