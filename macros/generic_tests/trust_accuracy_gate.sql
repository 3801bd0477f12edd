{#- The trust scores' accuracy gate, attached to trust_metrics: one failing row per criterion
    missed, for each score kind (reported, adjusted), on the grand totals
    (kpi_name = 'overall', dataset = 'all'):
    * total rows: recall >= var('trust_min_recall'), precision >= var('trust_min_precision');
    * slice rows: recall >= var('trust_min_slice_recall'), precision >=
      var('trust_min_slice_precision');
    * healthy sibling slices of an incident scored low: <= var('trust_max_sibling_low_rate');
    * clean and business-only rows not high: <= var('trust_max_not_high_rate').
    A missing precision (nothing flagged) counts as 0. A scope with no labelled positives has
    nothing to score (users' own logs): it passes, and the test logs that it did. Severity
    error: it fails `dbt build`. Set a minimum to 0 or a maximum to 1 to disable it. -#}
{% test trust_accuracy_gate(model) %}
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
    {%- set criteria = [
        ('total', 'recall', 'min', var('trust_min_recall')),
        ('total', 'precision', 'min', var('trust_min_precision')),
        ('slice', 'recall', 'min', var('trust_min_slice_recall')),
        ('slice', 'precision', 'min', var('trust_min_slice_precision')),
        ('slice', 'sibling_low_rate', 'max', var('trust_max_sibling_low_rate')),
        ('total', 'clean_not_high_rate', 'max', var('trust_max_not_high_rate')),
        ('total', 'business_only_not_high_rate', 'max', var('trust_max_not_high_rate')),
        ('slice', 'clean_not_high_rate', 'max', var('trust_max_not_high_rate')),
        ('slice', 'business_only_not_high_rate', 'max', var('trust_max_not_high_rate')),
    ] %}

    with overall as (

        select * from {{ model }}
        where kpi_name = 'overall' and dataset = 'all' and n_positives > 0

    ),

    failing as (

        {%- for row_scope, metric, bound, limit in criteria %}
            {%- if not loop.first %}
                union all
            {%- endif %}
            select
                score_kind,
                row_scope,
                '{{ metric }}' as metric,
                {{ metric }} as measured,
                '{{ bound }}' as bound,
                {{ limit }} as limit_value
            from overall
            where
                row_scope = '{{ row_scope }}'
                {%- if bound == 'min' %}
                    and coalesce({{ metric }}, 0) < {{ limit }}
                {%- else %}
                    and coalesce({{ metric }}, 0) > {{ limit }}
                {%- endif %}
        {%- endfor %}

    )

    select * from failing
{% endtest %}
