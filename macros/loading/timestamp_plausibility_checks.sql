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
    {%- set configured = var('reference_time', none) -%}
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
