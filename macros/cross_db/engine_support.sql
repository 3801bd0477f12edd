{#- What this build leaves out, in one place: the models that are off on the current engine or
    by a switch (dbt_project.yml `+enabled`; keep both in step).
    - On Spark (dbt-spark, session or a cluster) the dbt Python models are off - dbt-spark runs
      Python models on Databricks only - and so are the SQL models that read them.
    - KPI_TRUST_GX=off turns Great Expectations (gx_validation_results) off on any engine: the
      trust score then reads dbt tests and quality signals only, as on Spark (the Spark
      equality test builds DuckDB so, to compare like with like).
    Models that read one of these through `enabled_ref` get an empty relation of the same
    columns instead, so they still parse and build. -#}
{% macro disabled_models() -%}
    {%- set disabled = [] -%}
    {%- if target.type != 'duckdb' -%}
        {%- do disabled.extend(duckdb_only_models()) -%}
    {%- endif -%}
    {%- if env_var('KPI_TRUST_GX', 'on') == 'off' and 'gx_validation_results' not in disabled -%}
        {%- do disabled.append('gx_validation_results') -%}
    {%- endif -%}
    {{ return(disabled) }}
{%- endmacro %}


{#- The dbt Python models and the models that read them: they run in dbt-duckdb's process.
    (gx_validation_results is not here: on Spark a SQL model of that name stores the results of
    GE's Spark engine, models/quality/spark/.) -#}
{% macro duckdb_only_models() -%}
    {{ return([
        'kpi_anomalies_daily', 'rca_api_leaves_daily',
        'rca_game_leaves_daily', 'kpi_root_causes',
        'kpi_anomalies_trusted_daily', 'kpi_verdicts_daily', 'anomaly_evaluation',
        'anomaly_false_alarms', 'anomaly_metrics', 'rca_evaluation', 'rca_metrics',
    ]) }}
{%- endmacro %}


{#- ref(`name`), or when `name` is off (disabled_models) an empty subquery with `columns` (a dict
    of column name to type: 'string', 'bigint', 'double', 'boolean', 'date' or 'timestamp'). -#}
{% macro enabled_ref(name, columns) -%}
    {%- if name not in disabled_models() -%}
        {{ return(ref(name)) }}
    {%- endif -%}
    {%- set types = {
        'string': dbt.type_string(), 'bigint': dbt.type_bigint(), 'double': type_double(),
        'boolean': dbt.type_boolean(), 'date': 'date', 'timestamp': dbt.type_timestamp(),
    } -%}
    {%- set relation -%}
    (
        select
            {%- for column, type in columns.items() %}
            cast(null as {{ types[type] }}) as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        where 1 = 0
    )
    {%- endset -%}
    {{ return(relation) }}
{%- endmacro %}


{#- on-run-start: one line per thing this build leaves out, so it never does so silently.
    Returns a no-op statement. -#}
{% macro engine_notes() -%}
    {%- if execute and target.type != 'duckdb' -%}
        {%- do log(
            target.type ~ ": DuckDB-only, not built here: the dbt Python models "
            ~ "(kpi_anomalies_daily, rca_api_leaves_daily, rca_game_leaves_daily, kpi_root_causes) "
            ~ "and the models that read them "
            ~ "(kpi_anomalies_trusted_daily, kpi_verdicts_daily, anomaly_evaluation, "
            ~ "anomaly_false_alarms, anomaly_metrics, rca_evaluation, rca_metrics): dbt-"
            ~ target.type
            ~ " runs Python models on Databricks only (docs/spark.md)", info = true
        ) -%}
        {%- do log(
            target.type ~ ": Parquet tables (no Delta/Iceberg): not_null constraints are not "
            ~ "enforced; the not_null tests on those columns run (docs/spark.md)", info = true
        ) -%}
    {%- endif -%}
    {%- if execute and 'gx_validation_results' in disabled_models() -%}
        {%- do log(
            target.type ~ ": no Great Expectations evidence in this build (KPI_TRUST_GX=off): "
            ~ "the trust score reads dbt tests and quality signals only (docs/spark.md)",
            info = true
        ) -%}
    {%- elif execute and target.type == 'spark'
        and env_var('KPI_TRUST_GX_SPARK_RUNNER', '') != '1' -%}
        {%- do log(
            target.type ~ ": no Great Expectations evidence in this build (GE runs on Spark "
            ~ "only through `python -m kpi_trust.spark_build build`, not a plain `dbt build`): "
            ~ "gx_validation_results stores no rows, the trust score reads dbt tests and quality "
            ~ "signals only (docs/spark.md)",
            info = true
        ) -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- The columns of gx_validation_results and their types, in its order (RESULT_SCHEMA of
    scripts/kpi_trust/gx_validate.py, which the DuckDB Python model writes). -#}
{% macro gx_result_columns() -%}
    {%- set text = dbt.type_string() -%}
    {{ return({
        'run_id': text, 'expectation_key': text, 'suite_name': text, 'dataset': text,
        'expectation_type': text, 'column_name': text, 'kwargs': text, 'observed_value': text,
        'unexpected_sample': text, 'exception_message': text,
        'element_count': dbt.type_bigint(), 'unexpected_count': dbt.type_bigint(),
        'unexpected_percent': type_double(), 'success': dbt.type_boolean(),
        'batch_date': 'date', 'run_at': dbt.type_timestamp(),
    }) }}
{%- endmacro %}
