{#- Root-cause accuracy against the labels, per dataset x category and overall ('all'): an
    incident counts once, hit at rank 1 (or within the top 3) when at least half of its
    decidable rows (rca_evaluation) are; rows too sparse to localise (first cause
    'too_few_events') and incidents with only such rows are counted apart. Incidents with a
    slice are scored on naming it; dataset-wide ones on saying the movement is broad on the
    total (and 'moved as a whole' on slices), reported apart. Targets (issue 10): top-1 >= 0.9
    and top-3 >= 0.97 for incidents with a slice. -#}

with evaluation as (

    select * from {{ ref('rca_evaluation') }}

),

incidents as (

    select
        incident_id,
        dataset,
        category,
        has_slice,
        sum(case when is_decidable then 1 else 0 end) as n_rows,
        sum(case when is_decidable then 0 else 1 end) as n_undecidable,
        -- null when no row is decidable: the incident is counted apart, not scored
        avg(case when is_decidable then (case when is_top1_hit then 1.0 else 0.0 end) end)
            as top1_row_share,
        avg(case when is_decidable then (case when is_top3_hit then 1.0 else 0.0 end) end)
            as top3_row_share
    from evaluation
    group by incident_id, dataset, category, has_slice

),

scopes as (

    select
        dataset,
        category,
        has_slice,
        top1_row_share,
        top3_row_share,
        n_rows,
        n_undecidable
    from incidents
    union all
    select
        'all' as dataset,
        'all' as category,
        has_slice,
        top1_row_share,
        top3_row_share,
        n_rows,
        n_undecidable
    from incidents

),

final as (

    select
        dataset,
        category,
        case when has_slice then 'slice' else 'dataset_wide' end as incident_scope,
        cast(sum(case when n_rows > 0 then 1 else 0 end) as {{ dbt.type_bigint() }})
            as incidents_evaluated,
        cast(sum(n_rows) as {{ dbt.type_bigint() }}) as rows_evaluated,
        cast(sum(n_undecidable) as {{ dbt.type_bigint() }}) as rows_undecidable,
        cast(sum(case when n_rows = 0 then 1 else 0 end) as {{ dbt.type_bigint() }})
            as incidents_undecidable,
        avg(case when n_rows > 0 then (case when top1_row_share >= 0.5 then 1.0 else 0.0 end) end)
            as top1_accuracy,
        avg(case when n_rows > 0 then (case when top3_row_share >= 0.5 then 1.0 else 0.0 end) end)
            as top3_accuracy,
        avg(top1_row_share) as top1_row_accuracy,
        0.9 as top1_target,
        0.97 as top3_target
    from scopes
    group by dataset, category, has_slice

)

select
    *,
    incident_scope = 'dataset_wide'
    or (top1_accuracy >= top1_target and top3_accuracy >= top3_target) as is_target_met
from final
