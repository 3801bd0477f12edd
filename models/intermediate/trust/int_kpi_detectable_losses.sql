{#- How large a loss of a KPI's events the evidence could see: one row per KPI computed from an
    event type (var('trust_event_kpi_groups'): purchase -> the purchase KPIs, level_complete ->
    levels_completed) x slice x day. min_detectable_loss = the share of the slice-day's
    expected events that would have to vanish for a count test to make the KPI low:
    |z| / sqrt(expected), z the midpoint of the event tests' thresholds (where a defect's
    penalty makes a KPI low), expected the events the slice's trailing rate predicts for
    today's sessions; 1 when nothing is expected. kpi_trust_daily calls a row
    'insufficient_data' when this exceeds var('trust_max_undetectable_loss').
    A total is computed from every slice's events, so a loss confined to one slice is only as
    visible as that slice's own tests make it (the whole-dataset test allows a market drop):
    * undecidable_slice (totals): the material slice (>= var('trust_material_slice_share') of
      the total's expected events) with the largest min_detectable_loss above
      var('trust_max_undetectable_loss'), e.g. 'platform=web'; the total is then undecidable too;
    * max_unseen_loss: the largest share of the row's expected events a loss could take unseen:
      min_detectable_loss for a slice; for a total the larger of its own and, over every slice,
      the slice's min_detectable_loss x its share of the total's expected events;
    * is_loss_suspected: an event-loss test of the row (or of a material slice of a total)
      warned that day (z at or below its warn level): the tests saw a deficit, too small or too
      uncertain to make the row low. -#}
{%- set event_groups = var('trust_event_kpi_groups') -%}

with tests as (

    select
        signal_name,
        slice_dimension,
        slice_value,
        expected,
        z_score,
        signal_date
    from {{ ref('int_event_loss_tests') }}

),

thresholds as (

    select
        signal_name,
        threshold_warn,
        threshold_fail
    from {{ ref('quality_thresholds') }}

),

kpi_groups as (

    select
        kpi_group,
        kpi_name
    from {{ ref('trust_kpi_groups') }}
    where dataset = 'game_events'

),

expected_events as (

    {#- the rate-drop test expects (1 - max market drop) x the slice's trailing rate: undo it #}
    {%- for event_type, kpi_group in event_groups.items() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ kpi_group }}' as kpi_group,
            tests.slice_dimension,
            tests.slice_value,
            tests.expected / (1 - {{ var('quality_max_market_drop') }}) as expected_events,
            abs(thresholds.threshold_warn + thresholds.threshold_fail) / 2 as low_z,
            tests.signal_date
        from tests
        inner join thresholds
            on thresholds.signal_name = '{{ event_type }}_rate_vs_rest'
        where tests.signal_name = '{{ event_type }}_rate_drop'
    {%- endfor %}

),

loss_warnings as (

    {#- slice-days where an event-loss test of the group warned (z at or below its warn level) #}
    {%- for event_type, kpi_group in event_groups.items() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select distinct
            '{{ kpi_group }}' as kpi_group,
            tests.slice_dimension,
            tests.slice_value,
            tests.signal_date
        from tests
        inner join thresholds
            on tests.signal_name = thresholds.signal_name
        where
            tests.signal_name in ('{{ event_type }}_rate_drop', '{{ event_type }}_rate_vs_rest')
            and tests.z_score <= thresholds.threshold_warn
    {%- endfor %}

),

losses as (

    select
        kpi_groups.kpi_name,
        expected_events.slice_dimension as dimension_name,
        expected_events.slice_value as dimension_value,
        cast(expected_events.expected_events as {{ type_double() }}) as expected_events,
        cast(case
            when coalesce(expected_events.expected_events, 0) <= 0 then 1
            else least(1, expected_events.low_z / sqrt(expected_events.expected_events))
        end as {{ type_double() }}) as min_detectable_loss,
        loss_warnings.kpi_group is not null as is_loss_warned,
        expected_events.signal_date as kpi_date
    from expected_events
    inner join kpi_groups
        on expected_events.kpi_group = kpi_groups.kpi_group
    left join loss_warnings
        on
            expected_events.kpi_group = loss_warnings.kpi_group
            and expected_events.slice_dimension = loss_warnings.slice_dimension
            and expected_events.slice_value = loss_warnings.slice_value
            and expected_events.signal_date = loss_warnings.signal_date

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
