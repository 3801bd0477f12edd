{#- What an event KPI row's evidence could miss, on top of int_kpi_detectable_losses. A total is
    computed from every slice's events, so a loss confined to one slice is only as visible as
    that slice's own tests make it (the whole-dataset test allows a market drop):
    * undecidable_slice (totals): the material slice (>= var('trust_material_slice_share') of
      the total's expected events) with the largest min_detectable_loss above
      var('trust_max_undetectable_loss'), e.g. 'platform=web'; the total is then undecidable too;
    * max_unseen_loss: the largest share of the row's expected events a loss could take unseen:
      min_detectable_loss for a slice; for a total the larger of its own and, over every slice,
      the slice's min_detectable_loss x its share of the total's expected events;
    * is_loss_suspected: an event-loss test of the row (or of a material slice of a total)
      warned that day: the tests saw a deficit, too small or too uncertain to make the row low.
    One row per int_kpi_detectable_losses row. -#}
with losses as (

    select * from {{ ref('int_kpi_detectable_losses') }}

),

slices_of_totals as (

    -- every slice beside its total: its share of the total's expected events
    select
        totals.kpi_name,
        totals.kpi_date,
        slices.dimension_name || '=' || slices.dimension_value as slice_name,
        slices.min_detectable_loss,
        slices.is_loss_warned,
        slices.expected_events / nullif(totals.expected_events, 0) as event_share
    from losses as totals
    inner join losses as slices
        on
            totals.kpi_name = slices.kpi_name
            and totals.kpi_date = slices.kpi_date
            and slices.dimension_name <> 'all'
    where totals.dimension_name = 'all'

),

unseen_losses as (

    select
        kpi_name,
        kpi_date,
        max(min_detectable_loss * coalesce(event_share, 0)) as max_slice_unseen_loss,
        {{ dbt.bool_or(
            'is_loss_warned and event_share >= ' ~ var('trust_material_slice_share')
        ) }} as is_material_slice_warned
    from slices_of_totals
    group by kpi_name, kpi_date

),

undecidable_slices as (

    -- material slices whose own tests could miss more than the tolerated loss, weakest first
    select
        kpi_name,
        kpi_date,
        slice_name,
        row_number() over (
            partition by kpi_name, kpi_date
            order by min_detectable_loss desc, slice_name asc
        ) as weakness_rank
    from slices_of_totals
    where
        event_share >= {{ var('trust_material_slice_share') }}
        and min_detectable_loss > {{ var('trust_max_undetectable_loss') }}

),

weakest_slices as (

    select
        unseen_losses.kpi_name,
        unseen_losses.kpi_date,
        unseen_losses.max_slice_unseen_loss,
        unseen_losses.is_material_slice_warned,
        undecidable_slices.slice_name as undecidable_slice
    from unseen_losses
    left join undecidable_slices
        on
            unseen_losses.kpi_name = undecidable_slices.kpi_name
            and unseen_losses.kpi_date = undecidable_slices.kpi_date
            and undecidable_slices.weakness_rank = 1

),

final as (

    select
        losses.kpi_name,
        losses.dimension_name,
        losses.dimension_value,
        losses.expected_events,
        losses.min_detectable_loss,
        cast(greatest(
            losses.min_detectable_loss, coalesce(weakest_slices.max_slice_unseen_loss, 0)
        ) as {{ type_double() }}) as max_unseen_loss,
        losses.is_loss_warned
        or coalesce(weakest_slices.is_material_slice_warned, false) as is_loss_suspected,
        weakest_slices.undecidable_slice,
        losses.kpi_date
    from losses
    left join weakest_slices
        on
            losses.kpi_name = weakest_slices.kpi_name
            and losses.kpi_date = weakest_slices.kpi_date
            and losses.dimension_name = 'all'

)

select * from final
