{#- Incremental deduplication of an append-only log (int_*_deduplicated on DuckDB; tables on
    Spark). A new copy of an id can change which copy wins (an earlier ingested_at) and always
    changes copy_count, so a run recomputes every id with a copy staged since the last run, over
    all of that id's copies, and replaces those ids' rows (delete+insert by `id_column`).

    copies_of_new_ids: the `and` clause, for the query reading `staging`'s valid rows, that
    keeps the copies of those ids. "Staged since the last run": file positions after the
    largest source_row_number the table holds (a winner's position, so at most the last run's
    newest rows again; never a new row missed, as new rows come after every staged one).
    Outside an incremental run: nothing, every id. -#}
{% macro copies_of_new_ids(id_column, staging) -%}
    {%- if is_incremental() %}
        and {{ id_column }} in (
            select {{ id_column }} from {{ staging }}
            {{ staged_since_last_run() }}
        )
    {%- endif %}
{%- endmacro %}

{#- restart_dedup_when_restaged: the pre-hook that empties the table, so the run recomputes every
    id (every row, for int_game_events_flagged), when staging staged every row again because the log's period start moved (its
    log_first_ingested_at differs from the one the table was built from): quarantine decisions
    of old rows may have changed, and an id whose copies are all quarantined now must go. Also
    when the table predates its log_first_ingested_at column. Outside an incremental run:
    nothing. -#}
{% macro restart_dedup_when_restaged(staging) -%}
    {%- if is_incremental() and execute %}
    delete from {{ this }}
    {%- if has_columns(this, ['log_first_ingested_at']) %}
    where {{ log_start_moved(staging) }}
    {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- staged_since_last_run: on an incremental run, the WHERE clause keeping the staged rows after
    the largest file position the model's table holds: the rows int_game_events_flagged (one row
    per staged row) does not hold yet, the new copies copies_of_new_ids looks for. Outside an
    incremental run: nothing, every row. -#}
{% macro staged_since_last_run() -%}
    {%- if is_incremental() -%}
    where source_row_number > (select coalesce(max(source_row_number), 0) from {{ this }})
    {%- endif -%}
{%- endmacro %}
