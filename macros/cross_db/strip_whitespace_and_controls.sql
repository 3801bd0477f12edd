{#- `string` with every whitespace and control character removed, wherever it occurs (spaces,
    tabs, \r, \n, \x00-\x1f, \x7f). `trim()` strips only spaces, so a value of a tab or a NUL
    byte would pass a not-null check; staging tests this for '' (blank_after_cleaning). Engines
    differ: RE2 (DuckDB) and Java (Spark) take hex escapes (Spark's string literals unescape
    backslashes once more); Postgres takes POSIX classes. -#}
{% macro strip_whitespace_and_controls(string) -%}
    {{ return(adapter.dispatch('strip_whitespace_and_controls', 'kpi_trust')(string)) }}
{%- endmacro %}

{% macro default__strip_whitespace_and_controls(string) -%}
    regexp_replace({{ string }}, '[[:space:][:cntrl:]]', '', 'g')
{%- endmacro %}

{% macro duckdb__strip_whitespace_and_controls(string) -%}
    regexp_replace({{ string }}, '[\s\x00-\x1f\x7f]', '', 'g')
{%- endmacro %}

{% macro spark__strip_whitespace_and_controls(string) -%}
    regexp_replace({{ string }}, '[\\s\\x00-\\x1f\\x7f]', '')
{%- endmacro %}
