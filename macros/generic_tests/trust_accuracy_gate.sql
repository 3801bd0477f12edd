{#- The trust score's accuracy gate, attached to trust_metrics: fails (one row) when the grand
    total (kpi_name = 'overall', dataset = 'all') has labelled positives and its recall is below
    `min_recall` or its precision below `min_precision` (a missing precision - nothing flagged -
    counts as 0). With no labels (users' own logs: n_positives = 0) there is nothing to score:
    the test passes and logs that it was skipped. Severity error: it fails `dbt build`. -#}
{% test trust_accuracy_gate(model, min_recall = none, min_precision = none) %}
    {%- set min_recall = min_recall if min_recall is not none else var('trust_min_recall') -%}
    {%- set min_precision = min_precision if min_precision is not none
        else var('trust_min_precision') -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- set labels = run_query(
            "select coalesce(max(n_positives), 0) from " ~ model
            ~ " where kpi_name = 'overall' and dataset = 'all'"
        ) -%}
        {%- if labels.rows | length > 0 and labels.rows[0][0] == 0 -%}
            {%- do log(
                'trust_accuracy_gate: no ground-truth labels (no data-quality incident'
                ~ ' KPI-days), nothing to score: passing', info = true
            ) -%}
        {%- endif -%}
    {%- endif %}

    with overall as (

        select
            n_positives,
            recall,
            precision
        from {{ model }}
        where
            kpi_name = 'overall'
            and dataset = 'all'

    ),

    failing as (

        select
            n_positives,
            recall,
            precision,
            {{ min_recall }} as min_recall,
            {{ min_precision }} as min_precision
        from overall
        where
            n_positives > 0
            and (
                coalesce(recall, 0) < {{ min_recall }}
                or coalesce(precision, 0) < {{ min_precision }}
            )

    )

    select * from failing
{% endtest %}
