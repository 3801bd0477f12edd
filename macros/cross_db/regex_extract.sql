{#- Capture group `group` (0 = the whole match) of the first match of `pattern` in `string`;
    null when there is no match (DuckDB and Spark return '' then, which we turn into null). -#}
{% macro regex_extract(string, pattern, group=0) -%}
    {{ return(adapter.dispatch('regex_extract', 'kpi_trust')(string, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_extract(string, pattern, group=0) -%}
    (regexp_match({{ string }}, {{ pattern }}))[{{ [group, 1] | max }}]
{%- endmacro %}

{% macro duckdb__regex_extract(string, pattern, group=0) -%}
    nullif(regexp_extract({{ string }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{% macro spark__regex_extract(string, pattern, group=0) -%}
    nullif(regexp_extract({{ string }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}
