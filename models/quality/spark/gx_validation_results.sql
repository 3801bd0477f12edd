{#- gx_validation_results on Spark: the Great Expectations results GE's Spark execution engine
    produced for THIS invocation, stored (incremental append, config in _quality__gx.yml) as the
    DuckDB Python model of the same name stores its own: same columns, same rows for the same data.
    dbt-spark runs Python models on Databricks only, so GE runs beside dbt in the same process:
    `python -m kpi_trust.spark_build build` validates the staging tables when this model starts
    and hands the rows over as a global temp view (kpi_trust.spark_build, docs/spark.md).
    In a plain `dbt build` GE did not run: no rows, and the build said so in its first lines
    (macro engine_notes). A GE failure fails this model with GE's error. The staging models are
    what GE validates: this model starts (and GE runs) after both are built. -#}
-- depends_on: {{ ref('stg_api_gateway__api_calls') }}
-- depends_on: {{ ref('stg_game_telemetry__game_events') }}
{% set handoff = 'global_temp.kpi_trust_gx_validation_results' -%}
{%- set gx_error = env_var('KPI_TRUST_GX_SPARK_ERROR', '') -%}
{%- set gx_ran = env_var('KPI_TRUST_GX_SPARK_RUNNER', '') == '1' -%}
{%- if execute and gx_error -%}
    {{ exceptions.raise_compiler_error('Great Expectations on Spark failed: ' ~ gx_error) }}
{%- endif %}

with gx_results as (

    {%- if gx_ran %}
    select * from {{ handoff }}
    where run_id = '{{ invocation_id }}'
    {%- else %}
    select
        {%- for column, type in gx_result_columns().items() %}
        cast(null as {{ type }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    where 1 = 0
    {%- endif %}

),

final as (

    select
        {%- for column, type in gx_result_columns().items() %}
        cast({{ column }} as {{ type }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from gx_results

)

select * from final
