{#- Where raw log `name` is in files mode, as [path, format]: `raw_dir/<name>.<raw_format>`,
    or with raw_format 'auto' (the default) the one of `<name>.parquet`, `<name>.csv` and
    `<name>.csv.gz` that exists, the format read from its extension. None or several found:
    one message naming the folder. The optional labels file (`required` false) may be absent:
    then the path of the first candidate, which the caller checks. Engines that cannot list
    files (Spark) need an explicit raw_format. -#}
{% macro raw_file_path(name, required = true) -%}
    {%- set formats = ['parquet', 'csv', 'csv.gz'] -%}
    {%- set base = var('raw_dir') ~ '/' ~ name ~ '.' -%}
    {%- if var('raw_format') != 'auto' -%}
        {{ return([base ~ var('raw_format'), var('raw_format')]) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return([base ~ formats[0], formats[0]]) }}
    {%- endif -%}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error(
            "raw_format 'auto' lists files with DuckDB; on " ~ target.type
            ~ " set KPI_TRUST_RAW_FORMAT to parquet, csv or csv.gz"
        ) }}
    {%- endif -%}
    {%- set found = [] -%}
    {%- for format in formats -%}
        {%- if raw_file_exists(base ~ format) -%}
            {%- do found.append(format) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Raw log '" ~ name ~ "': " ~ var('raw_dir') ~ " holds " ~ name ~ "."
            ~ found | join(' and ' ~ name ~ '.') ~ "; keep one, or choose with "
            ~ "KPI_TRUST_RAW_FORMAT=" ~ found | join('|')
        ) }}
    {%- endif -%}
    {%- if found | length == 0 -%}
        {%- if not required -%}
            {{ return([base ~ formats[0], formats[0]]) }}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            "Raw log '" ~ name ~ "': file not found: " ~ base ~ "{parquet,csv,csv.gz} "
            ~ "(files mode reads KPI_TRUST_RAW_DIR/" ~ name ~ ".<parquet|csv|csv.gz>)"
        ) }}
    {%- endif -%}
    {{ return([base ~ found[0], found[0]]) }}
{%- endmacro %}
