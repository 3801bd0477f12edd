{#- Quarantine checks (for `quarantine_columns`) that bound a row's event time by what the
    pipeline itself proves possible, with no assumption about the data's business:
    * `event_after_ingestion`: the event is timed more than var('timestamp_tolerance_minutes')
      after the row was ingested (a clock or time-zone bug; a row cannot be logged before it
      happens);
    * `before_log_period`: the event is timed more than var('timestamp_max_lag_days') before the
      first ingestion of the whole log (the pipeline never delivers rows that late; 1970, 1900 and
      year-0 dates are bugs);
    * `after_reference_time`: event or ingestion time after the build's reference time
      (var('reference_time'), default the build's start) plus the tolerance: rows from the future.
    `event_column` / `ingested_column` are the typed timestamps; `first_ingested_column` is the
    log's first ingestion time (a window minimum computed in the calling model). -#}
{% macro timestamp_plausibility_checks(event_column, ingested_column, first_ingested_column) -%}
    {%- set tolerance = var('timestamp_tolerance_minutes') -%}
    {%- set reference = "cast('" ~ timestamp_reference_time() ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {#- Out-of-period reasons first: a row dated 2030 is also "after its ingestion", but the
        reason that says it lies outside the log is the one naive figures must drop. -#}
    {{ return([
        {'when': event_column ~ ' < ' ~ dbt.dateadd('day', -1 * var('timestamp_max_lag_days'), first_ingested_column),
            'column': event_column, 'reason': 'before_log_period'},
        {'when': event_column ~ ' > ' ~ dbt.dateadd('minute', tolerance, reference),
            'column': event_column, 'reason': 'after_reference_time'},
        {'when': ingested_column ~ ' > ' ~ dbt.dateadd('minute', tolerance, reference),
            'column': ingested_column, 'reason': 'after_reference_time'},
        {'when': event_column ~ ' > ' ~ dbt.dateadd('minute', tolerance, ingested_column),
            'column': event_column, 'reason': 'event_after_ingestion'},
    ]) }}
{%- endmacro %}

{#- The build's reference time as 'YYYY-MM-DD HH:MM:SS' (UTC): var('reference_time') when set,
    else the time this dbt invocation started. -#}
{% macro timestamp_reference_time() -%}
    {%- set configured = var('reference_time') -%}
    {%- if configured -%}
        {{ return(configured) }}
    {%- else -%}
        {{ return(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }}
    {%- endif -%}
{%- endmacro %}

{#- The reasons `timestamp_plausibility_checks` can give: rows quarantined for them are
    attributed to the day they were ingested (the day that lost them). -#}
{% macro implausible_timestamp_reasons() -%}
    {{ return(['event_after_ingestion', 'before_log_period', 'after_reference_time']) }}
{%- endmacro %}

{#- A one-row query of the log's first ingestion (`log_first_ingested_at`, the start of its
    first ingestion day) over `relation` (a CTE with typed `event_column` / `ingested_column`),
    for before_log_period. Rows ingested before their own event (a broken ingestion clock,
    quarantined as event_after_ingestion) do not count. Nor does a stray island of ingestion days:
    days cut off from the later ones by a gap longer than var('timestamp_max_lag_days') that
    together hold less than var('log_start_min_share') of the log's rows. A few rows with a 1970
    clock on both of their times would otherwise open the log in 1970 and let every 1970 event
    through; a real log's early weeks before a long outage hold far more than 1 % of it. -#}
{% macro log_period_start(relation, event_column, ingested_column) -%}
    {%- set day = 'cast(' ~ dbt.date_trunc('day', ingested_column) ~ ' as date)' -%}
    with ingestion_days as (

        select
            {{ day }} as ingestion_day,
            count(*) as day_rows
        from {{ relation }}
        where {{ ingested_column }} >= {{ dbt.dateadd(
            'minute', -1 * var('timestamp_tolerance_minutes'), event_column
        ) }}
        group by {{ day }}

    ),

    gaps as (

        select
            ingestion_day,
            day_rows,
            case
                when {{ dbt.datediff(
                    'lag(ingestion_day) over (order by ingestion_day)', 'ingestion_day', 'day'
                ) }} > {{ var('timestamp_max_lag_days') }} then 1
                else 0
            end as starts_island
        from ingestion_days

    ),

    islands as (

        select
            ingestion_day,
            day_rows,
            sum(starts_island) over (
                order by ingestion_day rows between unbounded preceding and current row
            ) as island
        from gaps

    ),

    island_sizes as (

        select
            island,
            min(ingestion_day) as first_day,
            sum(day_rows) as island_rows
        from islands
        group by island

    )

    select
        cast(min(first_day) as {{ dbt.type_timestamp() }}) as log_first_ingested_at
    from island_sizes
    where island_rows >= {{ var('log_start_min_share') }} * (
        select sum(island_rows) from island_sizes
    )
{%- endmacro %}
