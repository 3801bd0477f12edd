{#- Boolean SQL that is true only when `string` neither starts nor ends with whitespace or a
    control character, i.e. trim_whitespace_and_controls would return it unchanged and it holds
    a character only_whitespace_and_controls does not count; '' (the empty string) when the
    engine has no cheaper test than the regex itself. Those macros and category_value take it as
    a fast path that skips a regex and a new string per value (almost every value of a real log
    is clean): on DuckDB, staging at 10 M rows per log spent most of its CPU in these regexes.
    Exact: the regexes' class is RE2's ASCII `\s` (\t \n \f \r space), \x00-\x1f and \x7f, all
    code points <= 32 or 127; a first and a last character above 32 and not 127 are outside it.
    Null for null, false for ''. -#}
{% macro clean_text_ends(string) -%}
    {{ return(adapter.dispatch('clean_text_ends', 'kpi_trust')(string)) }}
{%- endmacro %}

{% macro default__clean_text_ends(string) -%}
{%- endmacro %}

{% macro duckdb__clean_text_ends(string) -%}
    ({{ clean_code_point('unicode(' ~ string ~ ')') }}
        and {{ clean_code_point('unicode(right(' ~ string ~ ', 1))') }})
{%- endmacro %}

{#- Boolean: the code point (`unicode()`: -1 for '') is not whitespace or a control character. -#}
{% macro clean_code_point(code_point) -%}
    ({{ code_point }} > 32 and {{ code_point }} != 127)
{%- endmacro %}
