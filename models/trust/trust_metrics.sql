{#- Accuracy of the trust score against the ground truth, per KPI, per dataset and overall
    (kpi_name = 'overall'; dataset = 'all' for the grand total). Counts only evaluated
    KPI-days (value not null); n_excluded says how many were left out. Always has the grand
    total row: with no labels it says n_positives = 0 and the rates are null. -#}

with evaluation as (

    select
        kpi_name,
        dataset,
        label_class,
        outcome,
        is_positive,
        is_flagged,
        is_high,
        is_evaluated
    from {{ ref('trust_evaluation') }}

),

scoped as (

    select
        kpi_name,
        dataset,
        label_class,
        outcome,
        is_positive,
        is_flagged,
        is_high,
        is_evaluated
    from evaluation

    union all

    select
        'overall' as kpi_name,
        dataset,
        label_class,
        outcome,
        is_positive,
        is_flagged,
        is_high,
        is_evaluated
    from evaluation

),

{%- set count_columns %}
        sum(case when is_evaluated and outcome = 'tp' then 1 else 0 end) as tp,
        sum(case when is_evaluated and outcome = 'fp' then 1 else 0 end) as fp,
        sum(case when is_evaluated and outcome = 'fn' then 1 else 0 end) as fn,
        sum(case when is_evaluated and outcome = 'tn' then 1 else 0 end) as tn,
        sum(case when is_evaluated and not is_positive and not is_high then 1 else 0 end)
            as negatives_not_high,
        sum(case when is_evaluated and label_class = 'clean' then 1 else 0 end) as n_clean,
        sum(case when is_evaluated and label_class = 'clean' and not is_high then 1 else 0 end)
            as clean_not_high,
        sum(case when is_evaluated and label_class = 'business_only' then 1 else 0 end)
            as n_business_only,
        sum(case
            when is_evaluated and label_class = 'business_only' and not is_high then 1 else 0
        end) as business_only_not_high,
        sum(case when is_evaluated and label_class = 'unaffected_by_dq' then 1 else 0 end)
            as n_unaffected_by_dq,
        sum(case
            when is_evaluated and label_class = 'unaffected_by_dq' and not is_high then 1 else 0
        end) as unaffected_by_dq_not_high,
        sum(case when not is_evaluated then 1 else 0 end) as n_excluded
{%- endset %}

per_kpi as (

    select
        kpi_name,
        dataset,
        {{ count_columns }}
    from scoped
    group by 1, 2

),

overall as (

    -- no group by: one row even when there are no labels at all
    select
        'overall' as kpi_name,
        'all' as dataset,
        {{ count_columns }}
    from evaluation

),

counts as (

    select * from per_kpi
    union all
    select * from overall

),

final as (

    select
        kpi_name,
        dataset,
        cast(coalesce(tp, 0) as {{ dbt.type_int() }}) as tp,
        cast(coalesce(fp, 0) as {{ dbt.type_int() }}) as fp,
        cast(coalesce(fn, 0) as {{ dbt.type_int() }}) as fn,
        cast(coalesce(tn, 0) as {{ dbt.type_int() }}) as tn,
        cast(coalesce(tp + fn, 0) as {{ dbt.type_int() }}) as n_positives,
        cast(coalesce(fp + tn, 0) as {{ dbt.type_int() }}) as n_negatives,
        cast(coalesce(n_excluded, 0) as {{ dbt.type_int() }}) as n_excluded,
        cast(case when tp + fp > 0 then 1.0 * tp / (tp + fp) end as {{ type_double() }})
            as precision,  -- noqa: RF04
        cast(case when tp + fn > 0 then 1.0 * tp / (tp + fn) end as {{ type_double() }})
            as recall,
        cast(case when tp > 0 then 2.0 * tp / (2 * tp + fp + fn) end as {{ type_double() }})
            as f1,
        cast(case when fp + tn > 0 then 1.0 * fp / (fp + tn) end as {{ type_double() }})
            as false_alarm_rate,
        cast(
            case when fp + tn > 0 then 1.0 * negatives_not_high / (fp + tn) end
            as {{ type_double() }}
        ) as not_high_rate,
        cast(
            case when n_clean > 0 then 1.0 * clean_not_high / n_clean end
            as {{ type_double() }}
        ) as clean_not_high_rate,
        cast(
            case when n_business_only > 0 then 1.0 * business_only_not_high / n_business_only end
            as {{ type_double() }}
        ) as business_only_not_high_rate,
        cast(case
            when n_unaffected_by_dq > 0 then 1.0 * unaffected_by_dq_not_high / n_unaffected_by_dq
        end as {{ type_double() }}) as unaffected_by_dq_not_high_rate,
        cast(coalesce(n_clean, 0) as {{ dbt.type_int() }}) as n_clean,
        cast(coalesce(n_business_only, 0) as {{ dbt.type_int() }}) as n_business_only,
        cast(coalesce(n_unaffected_by_dq, 0) as {{ dbt.type_int() }}) as n_unaffected_by_dq
    from counts

)

select * from final
