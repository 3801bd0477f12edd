{#- Fails with one clear message when raw log `name` (read from `source`: a file path in files
    mode, or the seed relation) lacks columns of the documented raw schema, or the file is
    missing - instead of a binder error deep inside a staging model. Extra columns are fine
    (ignored); optional_raw_columns may be absent. Returns the absent optional columns (to be
    read as null). Runs only at execution time; while dbt parses it returns []. -#}
{% macro assert_raw_columns(name, source, format = none) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set expected = raw_columns(name) -%}
    {%- if format is none -%}
        {%- set found = adapter.get_columns_in_relation(source) | map(attribute = 'name') | list -%}
        {%- set where = 'seed ' ~ source -%}
    {%- else -%}
        {%- if target.type == 'duckdb' and not raw_file_exists(source) -%}
            {{ exceptions.raise_compiler_error(
                "Raw log '" ~ name ~ "': file not found: " ~ source ~ " (files mode reads "
                ~ "KPI_TRUST_RAW_DIR/" ~ name ~ ".<KPI_TRUST_RAW_FORMAT>)"
            ) }}
        {%- endif -%}
        {%- set found = raw_file_columns(source, format) -%}
        {%- set where = 'file ' ~ source -%}
    {%- endif -%}
    {%- set found_lower = found | map('lower') | map('trim') | list -%}
    {%- set optional = optional_raw_columns(name) -%}
    {%- set absent = optional | reject('in', found_lower) | list -%}
    {%- set missing = expected | reject('in', found_lower) | reject('in', optional) | list -%}
    {%- set hint = namespace(text = '') -%}
    {%- if found | length == 1 -%}
        {%- for delimiter, label in [(';', ';'), ('\t', 'tab'), ('|', '|'), (',', ',')] -%}
            {%- if delimiter in found[0] and hint.text == '' -%}
                {%- set hint.text = " The header reads as one column: the file looks " ~ label
                    ~ "-delimited; set KPI_TRUST_CSV_DELIMITER (docs/raw-schemas.md)." -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if missing | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "Raw log '" ~ name ~ "' (" ~ where ~ ") is missing required column(s): "
            ~ missing | join(', ') ~ ". Expected columns: " ~ expected | join(', ')
            ~ " (docs/raw-schemas.md); found: " ~ found | join(', ') ~ hint.text
        ) }}
    {%- endif -%}
    {{ return(absent) }}
{%- endmacro %}
