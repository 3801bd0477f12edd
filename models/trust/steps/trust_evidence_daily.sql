{#- Every piece of quality evidence of THIS invocation, one row per dataset x day x slice x
    evidence item, on one scale (health 1 = healthy, 0 = certainly broken): the union of
    trust_evidence_signals, trust_evidence_dbt_tests and trust_evidence_gx, health
    clamped into [0, 1]. Each row also says whether its slice is material: the slice held at
    least var('trust_material_slice_share') of the dataset's rows that day; and its health when
    charged to the dataset's total (total_health): a count test's loss in a slice is
    loss_share x slice_share of the total, read on the same materiality scale as in
    quality_signals_daily (a certain 3 % loss in a third of the rows is 1 % of the total). -#}
with unioned as (

    select * from {{ ref('trust_evidence_signals') }}
    union all
    select * from {{ ref('trust_evidence_dbt_tests') }}
    union all
    select * from {{ ref('trust_evidence_gx') }}

),

slice_shares as (

    select
        dataset,
        slice_dimension,
        slice_value,
        slice_share,
        row_date
    from {{ ref('int_trust_slice_rows_daily') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'unioned.dataset', "'|'", 'unioned.evidence_source', "'|'", 'unioned.evidence_name',
            "'|'", 'unioned.slice_dimension', "'|'", 'unioned.slice_value', "'|'",
            dbt.cast('unioned.evidence_date', api.Column.translate_type('string'))
        ])) }} as evidence_id,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
        unioned.dataset,
        unioned.evidence_source,
        unioned.evidence_name,
        unioned.evidence_category,
        unioned.slice_dimension,
        unioned.slice_value,
        unioned.scope,
        unioned.detail,
        unioned.measure,
        case
            when unioned.health < 0 then 0
            when unioned.health > 1 then 1
            else unioned.health
        end as health,
        case
            when unioned.slice_dimension = 'all' then 1.0
            else slice_shares.slice_share
        end as slice_share,
        case
            when unioned.health < 0 then 0
            when unioned.health > 1 then 1
            when unioned.slice_dimension = 'all' or unioned.loss_share is null
                then unioned.health
            else greatest(unioned.health, {{ health_from_thresholds(
                'unioned.loss_share * coalesce(slice_shares.slice_share, 1)', "'higher_is_worse'",
                var('quality_material_loss_warn'), var('quality_material_loss_fail')
            ) }})
        end as total_health,
        unioned.slice_dimension <> 'all'
        and coalesce(slice_shares.slice_share, 0) >= {{ var('trust_material_slice_share') }}
            as is_material_slice,
        unioned.evidence_date
    from unioned
    left join slice_shares
        on
            unioned.dataset = slice_shares.dataset
            and unioned.slice_dimension = slice_shares.slice_dimension
            and unioned.slice_value = slice_shares.slice_value
            and unioned.evidence_date = slice_shares.row_date
    where unioned.health is not null

)

select * from final
