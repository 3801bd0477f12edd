{#- Incremental staging of append-only raw logs: the `where` clause an incremental run reads its
    raw rows with. It stages only the rows appended since the last run (file positions after the
    largest `source_row_number` staged), unless the log's period start moved (`log_start`, a CTE
    with `log_first_ingested_at` over the whole log, differs from the one the staged rows were
    judged with): then every row is staged again, as the timestamp plausibility checks depend on
    it. Rows already staged are replaced by position (unique_key source_row_number), so a run
    with nothing new stages nothing. Outside an incremental run: no clause, every row.
    A raw file rewritten in place (not appended to) needs `dbt build --full-refresh`; the
    row-count reconciliation test fails until then. -#}
{% macro appended_raw_rows(log_start) -%}
    {%- if is_incremental() %}
    where
        source_row_number > (select coalesce(max(source_row_number), 0) from {{ this }})
        or (select max(log_first_ingested_at) from {{ log_start }})
        is distinct from (select max(log_first_ingested_at) from {{ this }})
    {%- endif %}
{%- endmacro %}
