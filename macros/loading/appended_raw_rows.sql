{#- Incremental staging of append-only raw logs: the `where` clause an incremental run reads raw
    log `name` (CTE `source`) with. It stages only the rows appended since the last run (file
    positions after the largest `source_row_number` staged), unless the log's period start moved
    (`log_start`, a CTE with `log_first_ingested_at` over the whole log, differs from the one
    the staged rows were judged with): then every row is staged again, as the timestamp
    plausibility checks depend on it. Rows already staged are replaced by position (unique_key
    source_row_number), so a run with nothing new stages nothing. A raw file rewritten in place
    rather than appended to (the rows already staged are not the file's first rows any more, by
    raw_row_hash, or the file is shorter) stops the run with a message naming the log: staging it
    by position would mix two files, so it needs `dbt build --full-refresh`. A staged table
    written by a version without the columns these checks read (log_first_ingested_at,
    raw_row_hash) is staged again whole, like a moved period start: on_schema_change adds the
    columns and every row gets them. Outside an incremental run: no clause, every row. -#}
{% macro appended_raw_rows(name, log_start) -%}
    {%- if is_incremental() %}
    {%- set staged = '(select coalesce(max(source_row_number), 0) from ' ~ this ~ ')' %}
    {%- if not has_columns(this, ['log_first_ingested_at', 'raw_row_hash']) %}
    -- {{ this }} predates log_first_ingested_at / raw_row_hash: every row staged again
    {%- else %}
    where
        source_row_number > {{ staged }}
        or {{ log_start_moved(log_start) }}
        or {{ raw_file_rewritten(name, staged) }}
    {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- True never; stops the query with a message when raw log `name` no longer starts with the rows
    staged so far (`staged`: how many). -#}
{% macro raw_file_rewritten(name, staged) -%}
    (
        select
            case
                when
                    count(*) < {{ staged }}
                    or sum({{ raw_row_hash(name) }})
                    is distinct from (select sum(raw_row_hash) from {{ this }})
                    then error(
                        'raw log {{ name }}: the file was rewritten since the last build (its first '
                        || {{ staged }} || ' rows are not the rows staged then); staging appends '
                        || 'new rows only: run dbt build --full-refresh'
                    )
                else false
            end
        from source
        where source_row_number <= {{ staged }}
    )
{%- endmacro %}

{#- A hash of one raw row's text as read (every raw column, and why its line did not parse). -#}
{% macro raw_row_hash(name) -%}
    hash({{ raw_columns(name) | join(', ') }}, source_line_problem)
{%- endmacro %}
