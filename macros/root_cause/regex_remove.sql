{#- `string` with every match of the regular expression `pattern` (a SQL string literal, quotes
    included) removed. Same pattern rules as regex_match (character classes, no backslashes). -#}
{% macro regex_remove(string, pattern) -%}
    {{ return(adapter.dispatch('regex_remove', 'kpi_trust')(string, pattern)) }}
{%- endmacro %}

{% macro default__regex_remove(string, pattern) -%}
    regexp_replace({{ string }}, {{ pattern }}, '', 'g')
{%- endmacro %}

{% macro spark__regex_remove(string, pattern) -%}
    regexp_replace({{ string }}, {{ pattern }}, '')
{%- endmacro %}
