{#- The most downstream nodes whose tests `dbt_test_results` / `dbt_test_failures_daily`
    report, all parents of the one ordering node `dbt_test_results_barrier`: what the trust
    score reads (kpi_daily, quality_signals_daily, gx_validation_results, its seeds, and the
    trust steps and intermediate models that read only those) and the marts no model reads. Everything upstream of them is covered too (see
    `reportable_test_nodes`), because in `dbt build` the tests of every ancestor finish before
    its children start. Tests on the results models' descendants (the trust models) cannot be
    reported by them, and neither can tests on the ground-truth labels: the labels must stay
    out of everything the trust score reads (tests on them are in dbt's run_results.json), nor
    can tests on the anomalies and root-cause layers (no evidence for the trust score, which
    need not wait for them).
    Nodes a build leaves out (disabled_models: gx_validation_results on Spark or with
    KPI_TRUST_GX=off) are left out of the list there. Add a node here when a new branch ends
    outside these; tests/python/test_quality_test_results.py fails when a tested node is left
    out. -#}
{% macro test_results_upstream_models() -%}
    {{ return([
        'kpi_daily',
        'quality_signals_daily',
        'gx_validation_results',
        'api_performance_daily',
        'api_error_reasons_daily',
        'quarantined_rows',
        'trust_kpi_groups',
        'trust_evidence_map',
        'trust_evidence_signals',
        'trust_evidence_gx',
        'int_trust_slice_rows_daily',
        'int_trust_kpi_evidence_weights',
        'trust_kpi_evidence_days',
        'int_kpi_detectable_losses',
        'int_kpi_unseen_losses',
    ] | reject('in', disabled_models()) | list) }}
{%- endmacro %}


{#- Renders one `-- depends_on:` line per upstream model, so dbt orders the barrier (and the
    results models after it) after those models and their tests (the results models read the
    stored failures by relation name at run time, not through `ref`). -#}
{% macro test_results_dependencies() -%}
    {%- for model_name in test_results_upstream_models() %}
-- depends_on: {{ ref(model_name) }}
    {%- endfor %}
{%- endmacro %}
