{#- Incremental quality profiles (int_*_profiled_daily, int_event_type_counts_daily,
    int_conflicting_duplicates_profiled_daily: incremental on DuckDB, tables on Spark). A profile
    row of a day is computed from the rows of that day (plus, for conflicting duplicates, the
    other copies of their ids, and for implausible times the rows recorded on that day), so a run
    profiles again only the days from the latest profiled day minus var('lookback_days'), as the
    marts do, and replaces them (delete+insert by the day).

    profile_days_start(day_column, stagings, slice_source, dimensions): that first day, as
    'YYYY-MM-DD', or none when every day must be profiled again:
    - not an incremental run, or a table from before its log_first_ingested_at column;
    - a log whose period start moved (staging staged every row again: `stagings`, {dataset or
      none: staging relation}, and the table's log_first_ingested_at per dataset);
    - a slice (dimension = value) in `slice_source`'s rows from that day on that the table does
      not hold yet: every profiled day has a row per slice (slice_day_grid), so a new slice adds
      rows to past days too. `slice_source`: a relation or parenthesised query with the
      `dimensions` and the day (column `slice_day`, default `day_column`), the rows the model
      forms its slices from; none: no grid, no check.
    Evaluated when the model runs (run_query), so the model's SQL filters on a constant day. -#}
{% macro profile_days_start(day_column, stagings, slice_source=none, dimensions=[], slice_day=none) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not has_columns(this, ['log_first_ingested_at']) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set moved = [] -%}
    {%- for dataset, staging in stagings.items() -%}
        {%- do moved.append(
            "exists (select 1 from " ~ this ~ " where "
            ~ ("dataset = '" ~ dataset ~ "' and " if dataset else "")
            ~ "log_first_ingested_at is distinct from "
            ~ "(select max(log_first_ingested_at) from " ~ staging ~ "))"
        ) -%}
    {%- endfor -%}
    {%- set lookback = -1 * (var('lookback_days') | int) -%}
    {%- set state = run_query(
        "select cast(" ~ dbt.dateadd('day', lookback, 'max(' ~ day_column ~ ')') ~ " as date), "
        ~ (moved | join(' or ')) ~ " from " ~ this
    ) -%}
    {%- set start, log_start_moved = state.rows[0][0], state.rows[0][1] -%}
    {%- if start is none or log_start_moved -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start = start.isoformat() -%}
    {%- if slice_source is not none -%}
        {%- set values = [] -%}
        {%- for dimension in dimensions -%}
            {%- do values.append(
                "select distinct '" ~ dimension ~ "' as slice_dimension, "
                ~ dimension ~ " as slice_value from " ~ slice_source ~ " as source where "
                ~ (slice_day or day_column) ~ " >= date '" ~ start ~ "' and "
                ~ dimension ~ " is not null"
            ) -%}
        {%- endfor -%}
        {%- set new_slices = run_query(
            "select count(*) from (" ~ (values | join(' union ')) ~ " except "
            ~ "select slice_dimension, slice_value from " ~ this ~ ") as new_slices"
        ) -%}
        {%- if new_slices.rows[0][0] > 0 -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(start) }}
{%- endmacro %}

{#- The log's period start the staged rows were built with (one value per log): stored on each
    profile row so profile_days_start sees when staging staged every row again. -#}
{% macro staged_log_start(staging) -%}
    (select max(log_first_ingested_at) from {{ staging }})
{%- endmacro %}

{#- The WHERE clause that keeps the rows an incremental profile run reads (`since`,
    profile_days_start): those of the days profiled again (`day_column`, their attributed day)
    and those recorded on them (`recorded_column`, for implausible_rows_on_recorded_day).
    Nothing when every day is profiled. -#}
{% macro profile_rows_since(since, day_column, recorded_column) -%}
    {%- if since -%}
    where {{ day_column }} >= date '{{ since }}' or {{ recorded_column }} >= date '{{ since }}'
    {%- endif -%}
{%- endmacro %}

{#- int_conflicting_duplicates_profiled_daily on an incremental run (`since`): the CTE `scope`
    (followed by a comma) holding the rows of `rows` (signal_date, row_id) on the days profiled
    again: from `since` on, and every day holding a copy of an id copied since then (a new copy
    can make an old day's row a conflicting duplicate). Nothing when every day is profiled. -#}
{% macro copies_scope_cte(rows, scope, since) -%}
    {%- if since %}
    {{ scope }} as (
        select * from {{ rows }}
        where signal_date in (
            select day_rows.signal_date from {{ rows }} as day_rows
            where
                day_rows.signal_date >= date '{{ since }}'
                or day_rows.row_id in (
                    select recent.row_id from {{ rows }} as recent
                    where recent.signal_date >= date '{{ since }}'
                )
        )
    ),
    {%- endif %}
{%- endmacro %}

{#- The WHERE clause keeping the ids of `scope` (copies_scope_cte) on an incremental run. -#}
{% macro in_copies_scope(id_column, scope, since) -%}
    {%- if since -%}
    where {{ id_column }} in (select scope_rows.row_id from {{ scope }} as scope_rows)
    {%- endif -%}
{%- endmacro %}
