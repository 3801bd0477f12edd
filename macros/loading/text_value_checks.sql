{#- Quarantine checks (for `quarantine_columns`) on raw text columns (ids, categories), each
    checked on its `<column>_text`:
    * `blank_after_cleaning`: present, but nothing is left once every whitespace and control
      character is removed (a tab, '\r\n', a NUL byte): `trim()` alone lets such a value through
      as an id or a category;
    * `value_too_long`: longer than var('max_text_length') characters (a whole line or a binary
      blob pasted into one field, which would otherwise become a slice of its own).
    The missing-value check of a required column stays with the caller (null after trim).
    `optional` columns (e.g. error_reason) get only `value_too_long`: blank there is missing,
    which they may be. -#}
{% macro text_value_checks(columns, optional = []) -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- do checks.append({
            'when': only_whitespace_and_controls(column ~ '_text'),
            'column': column, 'reason': 'blank_after_cleaning'}) -%}
    {%- endfor -%}
    {%- for column in columns + optional -%}
        {%- do checks.append({
            'when': dbt.length(column ~ '_text') ~ ' > ' ~ var('max_text_length'),
            'column': column, 'reason': 'value_too_long'}) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}
