{#- Were events of a type lost? One row per test x event type x slice x day of the game log,
    counting human (non-bot, deduplicated) purchases and level completions per human session:
    * <event>_rate_drop (every slice): observed events vs sessions x the slice's trailing rate x
      (1 - var('quality_max_market_drop')): a loss beyond what the prior allows a market to do;
    * <event>_rate_vs_rest (every slice but 'all'): the slice's share of the day's events, given
      the day's total (a conditional, binomial-type test): expected share = the slice's sessions
      x its trailing rate relative to the rest, over that plus the rest's events. A market
      change moves every slice alike and cancels out; tracking lost in one country, channel or
      platform does not. No prior needed: the other slices are the control.
    z = count_test_z (rate_drop: Poisson) or binomial_test_z (vs_rest: the slice's share), each
    with the ratio's own extra-Poisson day-to-day dispersion. Thresholds are z values
    (one-sided false-alarm probabilities). Counts from int_event_type_counts_daily. -#}
{%- set max_drop_percent = (100 * var('quality_max_market_drop')) | round | int -%}

with counts as (

    -- one row per event type x slice x day, with the rest of the dataset beside it
    select * from {{ ref('int_event_type_counts_daily') }}

),

relative as (

    -- the slice's sessions weighted by the rest's rate today: its expected events if it
    -- converted like the rest of the dataset
    select
        *,
        sessions * rest_events / nullif(rest_sessions, 0) as rest_rate_events
    from counts

),

rate_baselines as (

    {{ trailing_pooled_ratio(
        'relative', ['event_type', 'slice_dimension', 'slice_value'], 'event_date',
        'events', 'sessions'
    ) }}

),

relative_baselines as (

    {{ trailing_pooled_ratio(
        'relative', ['event_type', 'slice_dimension', 'slice_value'], 'event_date',
        'events', 'rest_rate_events'
    ) }}

),

expected as (

    select
        relative.*,
        rate_baselines.baseline_days,
        relative.sessions * rate_baselines.baseline_ratio as rate_expected,
        -- the slice's expected share of the day's events: its sessions at its trailing rate
        -- relative to the rest, over that plus the rest's events
        relative.rest_rate_events * relative_baselines.baseline_ratio / nullif(
            relative.rest_rate_events * relative_baselines.baseline_ratio + relative.rest_events, 0
        ) as expected_share
    from relative
    inner join rate_baselines
        on
            relative.event_type = rate_baselines.event_type
            and relative.slice_dimension = rate_baselines.slice_dimension
            and relative.slice_value = rate_baselines.slice_value
            and relative.event_date = rate_baselines.event_date
    left join relative_baselines
        on
            relative.event_type = relative_baselines.event_type
            and relative.slice_dimension = relative_baselines.slice_dimension
            and relative.slice_value = relative_baselines.slice_value
            and relative.event_date = relative_baselines.event_date

),

ratios as (

    select
        *,
        events / nullif(rate_expected, 0) as rate_ratio,
        1 / nullif(rate_expected, 0) as rate_poisson_variance,
        events / nullif((events + rest_events) * expected_share, 0) as rest_ratio,
        (1 - expected_share) / nullif((events + rest_events) * expected_share, 0)
            as rest_poisson_variance
    from expected

),

rate_dispersions as (

    {{ trailing_dispersion(
        'ratios', ['event_type', 'slice_dimension', 'slice_value'], 'event_date', 'rate_ratio',
        'rate_poisson_variance'
    ) }}

),

rest_dispersions as (

    {{ trailing_dispersion(
        'ratios', ['event_type', 'slice_dimension', 'slice_value'], 'event_date', 'rest_ratio',
        'rest_poisson_variance'
    ) }}

),

tests as (

    select
        'rate_drop' as signal_name,
        ratios.event_type,
        ratios.slice_dimension,
        ratios.slice_value,
        ratios.sessions,
        ratios.baseline_days,
        ratios.events as observed,
        ratios.rate_expected * (1 - {{ var('quality_max_market_drop') }}) as expected,
        cast(null as {{ type_double() }}) as trials,
        cast(null as {{ type_double() }}) as expected_share,
        rate_dispersions.dispersion,
        ratios.event_date
    from ratios
    left join rate_dispersions
        on
            ratios.event_type = rate_dispersions.event_type
            and ratios.slice_dimension = rate_dispersions.slice_dimension
            and ratios.slice_value = rate_dispersions.slice_value
            and ratios.event_date = rate_dispersions.event_date

    union all

    select
        'rate_vs_rest' as signal_name,
        ratios.event_type,
        ratios.slice_dimension,
        ratios.slice_value,
        ratios.sessions,
        ratios.baseline_days,
        ratios.events as observed,
        (ratios.events + ratios.rest_events) * ratios.expected_share as expected,
        ratios.events + ratios.rest_events as trials,
        ratios.expected_share,
        rest_dispersions.dispersion,
        ratios.event_date
    from ratios
    left join rest_dispersions
        on
            ratios.event_type = rest_dispersions.event_type
            and ratios.slice_dimension = rest_dispersions.slice_dimension
            and ratios.slice_value = rest_dispersions.slice_value
            and ratios.event_date = rest_dispersions.event_date
    where ratios.slice_dimension <> 'all'

),

final as (

    select
        'game_events' as dataset,
        event_type || '_' || signal_name as signal_name,
        slice_dimension,
        slice_value,
        'event_name=' || event_type as scope,
        event_type || ' events per human session' || case
            when signal_name = 'rate_vs_rest' then ' relative to the rest of the dataset'
            else ' allowing a market drop of {{ max_drop_percent }}%'
        end as detail_context,
        sessions as sample_rows,
        cast(observed as {{ type_double() }}) as observed,
        cast(expected as {{ type_double() }}) as expected,
        cast(dispersion as {{ type_double() }}) as dispersion,
        cast(
            case
                when baseline_days >= {{ var('quality_min_baseline_days') }}
                    and expected >= {{ var('quality_min_expected_count') }}
                    and signal_name = 'rate_vs_rest'
                    then {{ binomial_test_z(
                        'observed', 'trials', 'expected_share', 'dispersion'
                    ) }}
                when baseline_days >= {{ var('quality_min_baseline_days') }}
                    and expected >= {{ var('quality_min_expected_count') }}
                    then {{ count_test_z('observed', 'expected', 'dispersion') }}
            end as {{ type_double() }}
        ) as z_score,
        event_date as signal_date
    from tests

)

select * from final
