{#- How large a loss of a KPI's events the evidence could see: one row per KPI computed from an
    event type (var('trust_event_kpi_groups'): purchase -> the purchase KPIs, level_complete ->
    levels_completed) x slice x day. min_detectable_loss = the share of the slice-day's
    expected events that would have to vanish for a count test to make the KPI low:
    |z| / sqrt(expected), z the midpoint of the event tests' thresholds (where a defect's
    penalty makes a KPI low), expected the events the slice's trailing rate predicts for
    today's sessions; 1 when nothing is expected. is_loss_warned: an event-loss test of the
    slice-day warned (z at or below its warn level). int_kpi_unseen_losses adds what a total
    can miss; kpi_trust_daily calls a row 'insufficient_data' when min_detectable_loss exceeds
    var('trust_max_undetectable_loss'). -#}
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

)

select * from losses
