{#- Staging expressions for a category column of `dataset` read from `<column>_text`:
    * category_value: the value with whitespace and control characters trimmed from its ends,
      lower-cased (country: upper-cased), and mapped to 'other' when it is outside the
      column's vocabulary (var('category_vocabularies'); country: var('country_code_pattern')).
      A column without a vocabulary keeps its value. A missing value stays null (quarantined
      as missing_required_value); a blank or too long one becomes 'other' too (quarantined as
      blank_after_cleaning / value_too_long, and never a slice of the naive figures).
    * unknown_category_columns: the names of the row's columns mapped to 'other', joined
      with ', ' (null when none), for the unknown_category_rate signal and quarantined-row
      style inspection.
    A value with clean ends (clean_text_ends, DuckDB) is categorised as it is, without the
    trimming regex; the same category either way. -#}
{% macro category_value(dataset, column) -%}
    {%- set raw = column ~ '_text' -%}
    {%- set clean_ends = kpi_trust.clean_text_ends(raw) | trim -%}
    case
        when {{ raw }} is null then null
        {%- if clean_ends %}
        when {{ clean_ends }} then {{ category_of_cleaned(dataset, column, raw) }}
        {%- endif %}
        else {{ category_of_cleaned(dataset, column, trim_whitespace_and_controls(raw)) }}
    end
{%- endmacro %}

{#- The category of a present value already trimmed (`cleaned`, an SQL expression). -#}
{% macro category_of_cleaned(dataset, column, cleaned) -%}
    {%- set vocabulary = var('category_vocabularies').get(dataset, {}).get(column, []) -%}
    case
        {%- if column == 'country' %}
        when {{ regex_match('upper(' ~ cleaned ~ ')', "'" ~ var('country_code_pattern') ~ "'") }}
            then upper({{ cleaned }})
        {%- elif vocabulary | length > 0 %}
        when lower({{ cleaned }}) in ('{{ vocabulary | join("', '") }}') then lower({{ cleaned }})
        {%- else %}
        when {{ cleaned }} != '' and {{ dbt.length(cleaned) }} <= {{ var('max_text_length') }}
            then lower({{ cleaned }})
        {%- endif %}
        else 'other'
    end
{%- endmacro %}

{% macro unknown_category_columns(dataset, columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(
            "case when " ~ column ~ " = 'other' and lower(" ~ trim_whitespace_and_controls(column ~ '_text')
            ~ ") != 'other' then '" ~ column ~ "' end"
        ) -%}
    {%- endfor -%}
    nullif(concat_ws(', ', {{ parts | join(', ') }}), '')
{%- endmacro %}
