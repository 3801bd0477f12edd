{#- Where staging reads raw log `name` from: a subquery with every raw column as text plus
    `source_row_number`. Only staging models (and the row-count reconciliation test) call it.
    - raw_source 'seed' (default): the dbt seed of that name (loaded as text). DuckDB only: on
      Spark the logs are read as files (docs/spark.md).
    - raw_source 'files': `raw_dir/<name>.<raw_format>` read directly by the engine
      (raw_format 'auto': the format of the one file found, by its extension).
    - Labels (`injected_incidents`) are optional: with labels 'none', or in files mode when the
      file is missing, an empty relation with the same columns.
    - Optional columns (optional_raw_columns) missing from an older file are read as null.
    - Each column of `natives` (native_raw_columns: typed Parquet columns staging uses as they
      are) comes also as `<column>__native`.
    - A log with a header but no data rows stops the build (assert_raw_not_empty). -#}
{% macro raw_relation(name, natives = {}) -%}
    {%- set columns = raw_columns(name) -%}
    {%- set is_labels = name == 'injected_incidents' -%}
    {%- if is_labels and var('labels') == 'none' -%}
        {{ return(empty_raw_relation(columns)) }}
    {%- endif -%}
    {%- if var('raw_source') == 'files' -%}
        {#- the declared source (models/staging/_raw__sources.yml) is the graph's edge; the
            file is read as raw_file_path finds it -#}
        {%- do source('raw_files', name) -%}
        {%- set path, format = raw_file_path(name, required = not is_labels) -%}
        {%- if is_labels and not raw_file_exists(path) -%}
            {{ return(empty_raw_relation(columns)) }}
        {%- endif -%}
        {%- set absent = assert_raw_columns(name, path, format) -%}
        {%- set present = columns | reject('in', absent) | list -%}
        {%- set relation = read_raw_file(path, format, present, natives) -%}
        {%- do assert_raw_not_empty(name, relation, 'file ' ~ path) -%}
        {{ return(null_padded_relation(relation, absent)) }}
    {%- elif var('raw_source') == 'seed' and target.type == 'spark' -%}
        {#- no raw seeds on Spark (seed-paths): parse without the ref, stop when run -#}
        {%- do source('raw_logs', name) -%}
        {%- if not execute -%}
            {{ return(empty_raw_relation(columns)) }}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            "On Spark the raw logs are read as files, not seeds: set KPI_TRUST_RAW_SOURCE=files, "
            ~ "KPI_TRUST_RAW_DIR and KPI_TRUST_RAW_FORMAT (parquet, csv or csv.gz; docs/spark.md)"
        ) }}
    {%- elif var('raw_source') == 'seed' -%}
        {#- the source is the graph's edge to the raw table; ref() orders staging after its seed -#}
        {%- do source('raw_logs', name) -%}
        {%- set absent = assert_raw_columns(name, ref(name)) -%}
        {%- set present = columns | reject('in', absent) | list -%}
        {%- set relation = seed_raw_relation(ref(name), present) -%}
        {%- do assert_raw_not_empty(name, relation, 'seed ' ~ ref(name)) -%}
        {{ return(null_padded_relation(relation, absent)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var raw_source must be 'seed' or 'files', got '" ~ var('raw_source') ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}
