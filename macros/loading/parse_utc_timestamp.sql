{#- Parse a raw UTC timestamp text (`YYYY-MM-DD HH:MM:SS[.fffffffff]`, a `T` separator and a
    trailing `Z` / `+00:00` / `+0000` accepted) into a timestamp; null when the text does not have
    that shape or is not a real instant (e.g. hour 25). Other offsets are rejected, not guessed.
    Up to nine fraction digits (nanoseconds: Parquet TIMESTAMP_NS as text, Go / Java logs); the
    timestamp type holds microseconds, so digits past the sixth are dropped (truncated, not
    rounded, on every engine: the pattern keeps only the first six, so no cast sees the rest).
    Years outside 1000-9998 are null too (unparseable_timestamp): DuckDB reads year 0000 as 1 BC
    and 9999-12-31 as a date one day from overflow, but Python's datetime (Great Expectations,
    pandas readers) has no year 0 and overflows past 9999-12-31, so such a value must never
    leave staging typed. -#}
{% macro parse_utc_timestamp(column) -%}
    case
        when {{ regex_match(column, "'" ~ year_1000_to_9998_pattern() ~ "'") }}
            then {{ safe_cast(
                regex_extract(column, "'^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]'", 1)
                ~ " || ' ' || "
                ~ regex_extract(column, utc_time_pattern(), 1)
                ~ " || coalesce(" ~ regex_extract(column, utc_time_pattern(), 2) ~ ", '')",
                dbt.type_timestamp()
            ) }}
    end
{%- endmacro %}

{#- Regex (no quotes) matching text that starts with a year 1000-9998 and a dash: the years
    every engine and Python's datetime can hold with a day to spare. -#}
{% macro year_1000_to_9998_pattern() -%}
    {{ return('^([1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-') }}
{%- endmacro %}

{#- Quoted regex of a whole UTC timestamp text: group 1 `HH:MM:SS`, group 2 the first six fraction
    digits with their dot (absent without a fraction); up to three more digits are matched and
    left out. -#}
{% macro utc_time_pattern() -%}
    {{ return("'^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:([.][0-9]{1,6})[0-9]{0,3})?(?:Z|[+]00(?::?00)?)?$'") }}
{%- endmacro %}
