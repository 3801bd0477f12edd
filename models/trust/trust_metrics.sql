{#- Accuracy of both trust scores against the ground truth, per score kind (reported /
    adjusted) x row scope (total / slice) x dataset x KPI, with kpi_name = 'overall' per dataset
    and dataset = 'all' for the grand total of a score kind and scope. Counts evaluated rows only
    (n_excluded says how many were left out). The grand-total rows always exist: with no labels
    they say n_positives = 0 and the rates are null. -#}
{%- set scopes = [
    ('evaluation.kpi_name', 'evaluation.dataset'),
    ("'overall'", 'evaluation.dataset'),
    ("'overall'", "'all'"),
] -%}
{%- set classes = ['clean', 'business_only', 'unaffected_by_dq', 'sibling', 'repaired'] -%}

with evaluation as (

    select * from {{ ref('trust_evaluation') }}

),

score_kinds as (

    select 'reported' as score_kind
    union all
    select 'adjusted' as score_kind

),

row_scopes as (

    select 'total' as row_scope
    union all
    select 'slice' as row_scope

),

kinds as (

    -- one row per score kind x scope even without labels
    select
        score_kinds.score_kind,
        row_scopes.row_scope
    from score_kinds
    cross join row_scopes

),

counts as (

    {%- for kpi_column, dataset_column in scopes %}
        {#- the grand total keeps its row with no labels: count over the left join #}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            kinds.score_kind,
            kinds.row_scope,
            {{ kpi_column }} as kpi_name,
            {{ dataset_column }} as dataset,
            {%- for outcome in ['tp', 'fp', 'fn', 'tn'] %}
                sum(case
                    when evaluation.is_evaluated and evaluation.outcome = '{{ outcome }}' then 1
                    else 0
                end) as {{ outcome }},
            {%- endfor %}
            {%- for label_class in classes %}
                {%- set is_class = (
                    "evaluation.is_evaluated and evaluation.label_class = '" ~ label_class ~ "'"
                ) %}
                sum(case when {{ is_class }} then 1 else 0 end) as n_{{ label_class }},
                sum(case
                    when {{ is_class }} and not evaluation.is_high then 1
                    else 0
                end) as {{ label_class }}_not_high,
                sum(case
                    when {{ is_class }} and evaluation.is_flagged then 1
                    else 0
                end) as {{ label_class }}_low,
            {%- endfor %}
            count(evaluation.kpi_name) - sum(case when evaluation.is_evaluated then 1 else 0 end)
                as n_excluded,
            sum(case
                when evaluation.is_positive and evaluation.trust_level = 'insufficient_data' then 1
                else 0
            end) as n_undecidable
        from kinds
        left join evaluation
            on
                kinds.score_kind = evaluation.score_kind
                and kinds.row_scope = evaluation.row_scope
        {%- if dataset_column == 'evaluation.dataset' %}
            where evaluation.kpi_name is not null
        {%- endif %}
        group by 1, 2, 3, 4
    {%- endfor %}

),

final as (

    select
        score_kind,
        row_scope,
        kpi_name,
        dataset,
        cast(coalesce(tp, 0) as {{ dbt.type_int() }}) as tp,
        cast(coalesce(fp, 0) as {{ dbt.type_int() }}) as fp,
        cast(coalesce(fn, 0) as {{ dbt.type_int() }}) as fn,
        cast(coalesce(tn, 0) as {{ dbt.type_int() }}) as tn,
        cast(coalesce(tp + fn, 0) as {{ dbt.type_int() }}) as n_positives,
        cast(coalesce(fp + tn, 0) as {{ dbt.type_int() }}) as n_negatives,
        cast(coalesce(n_excluded, 0) as {{ dbt.type_int() }}) as n_excluded,
        cast(coalesce(n_undecidable, 0) as {{ dbt.type_int() }}) as n_undecidable,
        cast(case when tp + fp > 0 then 1.0 * tp / (tp + fp) end as {{ type_double() }})
            as precision,  -- noqa: RF04
        cast(case when tp + fn > 0 then 1.0 * tp / (tp + fn) end as {{ type_double() }})
            as recall,
        cast(case when tp > 0 then 2.0 * tp / (2 * tp + fp + fn) end as {{ type_double() }})
            as f1,
        cast(case when fp + tn > 0 then 1.0 * fp / (fp + tn) end as {{ type_double() }})
            as false_alarm_rate,
        {%- for label_class in classes %}
            {%- set low_rate = label_class ~ '_low_rate' %}
            cast(coalesce(n_{{ label_class }}, 0) as {{ dbt.type_int() }}) as n_{{ label_class }},
            cast(case
                when n_{{ label_class }} > 0
                    then 1.0 * {{ label_class }}_not_high / n_{{ label_class }}
            end as {{ type_double() }}) as {{ label_class }}_not_high_rate,
            cast(case
                when n_{{ label_class }} > 0
                    then 1.0 * {{ label_class }}_low / n_{{ label_class }}
            end as {{ type_double() }}) as {{ low_rate }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from counts

)

select * from final
