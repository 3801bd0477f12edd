{#- True when `string` contains a match of the regular expression `pattern` (a SQL string
    literal, quotes included). Write patterns with character classes (`[0-9]`, `[.]`) rather
    than backslash escapes: Spark unescapes backslashes in string literals, DuckDB does not. -#}
{% macro regex_match(string, pattern) -%}
    {{ return(adapter.dispatch('regex_match', 'kpi_trust')(string, pattern)) }}
{%- endmacro %}

{% macro default__regex_match(string, pattern) -%}
    ({{ string }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_match(string, pattern) -%}
    regexp_matches({{ string }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_match(string, pattern) -%}
    ({{ string }} rlike {{ pattern }})
{%- endmacro %}
