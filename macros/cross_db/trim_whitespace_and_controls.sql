{#- `string` without whitespace and control characters at either end (spaces, tabs, \r, \n,
    \x00-\x1f, \x7f). `trim()` strips only spaces: 'ios\t' would otherwise become a slice of
    its own beside 'ios'. Characters inside the value are kept. Engines differ in their regex
    escapes as in strip_whitespace_and_controls. On DuckDB a value with clean ends
    (clean_text_ends) is returned as it is, without the regex. -#}
{% macro trim_whitespace_and_controls(string) -%}
    {{ return(adapter.dispatch('trim_whitespace_and_controls', 'kpi_trust')(string)) }}
{%- endmacro %}

{% macro default__trim_whitespace_and_controls(string) -%}
    regexp_replace({{ string }}, '^[[:space:][:cntrl:]]+|[[:space:][:cntrl:]]+$', '', 'g')
{%- endmacro %}

{% macro duckdb__trim_whitespace_and_controls(string) -%}
    case
        when {{ kpi_trust.clean_text_ends(string) }} then {{ string }}
        else regexp_replace({{ string }}, '^[\s\x00-\x1f\x7f]+|[\s\x00-\x1f\x7f]+$', '', 'g')
    end
{%- endmacro %}

{% macro spark__trim_whitespace_and_controls(string) -%}
    regexp_replace({{ string }}, '^[\\s\\x00-\\x1f\\x7f]+|[\\s\\x00-\\x1f\\x7f]+$', '')
{%- endmacro %}
