{#- One row per dataset x signal_date x slice x signal (x scope): the measure, its baseline or
    expectation, a 0-1 health and the thresholds used. health = 1 at or better than
    threshold_warn, 0 at or worse than threshold_fail, linear in between (direction from
    seeds/quality_thresholds.csv). Two families, measured upstream:
    * rate signals (int_quality_rate_signals): shares of defective rows, the volume z-score;
    * count tests (int_hourly_coverage_tests, int_event_loss_tests, int_slice_volume_tests):
      measure = one-sided z of observed vs expected rows or events. A count test is charged
      only as far as the loss is both certain and material: its health is the better of the
      z's health and the health of loss_share (the missing rows or events as a share of the
      slice-day's expected total) on the defect rates' materiality scale
      (vars quality_material_loss_warn / _fail): a certain loss of 1 % of a day is not a
      broken KPI. -#}
{%- set string_type = api.Column.translate_type('string') -%}
{%- set count_test_models = [
    'int_hourly_coverage_tests', 'int_event_loss_tests', 'int_slice_volume_tests'
] -%}

with rate_signals as (

    select
        dataset,
        signal_name,
        slice_dimension,
        slice_value,
        scope,
        detail_context,
        sample_rows,
        numerator,
        denominator,
        measure,
        baseline,
        cast(null as {{ type_double() }}) as expected_count,
        cast(null as {{ type_double() }}) as loss_share,
        baseline_days,
        signal_date
    from {{ ref('int_quality_rate_signals') }}

),

count_tests as (

    {%- for model in count_test_models %}
        {#- hourly tests expect a window of the day: the day's expected total is its observed
            rows plus the window's missing ones; the others expect the day #}
        {%- set expected_total = (
            'sample_rows + greatest(0, expected - observed)'
            if model == 'int_hourly_coverage_tests' else 'expected'
        ) %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            dataset,
            signal_name,
            slice_dimension,
            slice_value,
            scope,
            detail_context,
            sample_rows,
            observed as numerator,
            cast(null as {{ type_double() }}) as denominator,
            z_score as measure,
            cast(null as {{ type_double() }}) as baseline,
            expected as expected_count,
            greatest(0, expected - observed) / nullif({{ expected_total }}, 0) as loss_share,
            cast(null as {{ dbt.type_int() }}) as baseline_days,
            signal_date
        from {{ ref(model) }}
    {%- endfor %}

),

signals as (

    select * from rate_signals
    union all
    select * from count_tests

),

thresholds as (

    select * from {{ ref('quality_thresholds') }}

),

scored as (

    select
        signals.*,
        thresholds.signal_category,
        thresholds.direction,
        thresholds.baseline_method,
        cast(thresholds.threshold_warn as {{ type_double() }}) as threshold_warn,
        cast(thresholds.threshold_fail as {{ type_double() }}) as threshold_fail,
        {{ health_from_thresholds(
            'signals.measure', 'thresholds.direction',
            'thresholds.threshold_warn', 'thresholds.threshold_fail'
        ) }} as measure_health,
        -- a count test's loss on the defect rates' materiality scale
        {{ health_from_thresholds(
            'coalesce(signals.loss_share, 0)', "'higher_is_worse'",
            var('quality_material_loss_warn'), var('quality_material_loss_fail')
        ) }} as material_loss_health
    from signals
    inner join thresholds
        on signals.signal_name = thresholds.signal_name

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'dataset', "'|'", dbt.cast('signal_date', string_type), "'|'",
            'slice_dimension', "'|'", 'slice_value', "'|'", 'signal_name', "'|'", 'scope',
        ])) }} as quality_signal_id,
        dataset,
        slice_dimension,
        slice_value,
        signal_name,
        signal_category,
        scope,
        direction,
        baseline_method,
        {{ quality_signal_detail() }} as detail,
        sample_rows,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(measure as {{ type_double() }}) as measure,
        cast(baseline as {{ type_double() }}) as baseline,
        cast(expected_count as {{ type_double() }}) as expected_count,
        cast(loss_share as {{ type_double() }}) as loss_share,
        baseline_days,
        cast(case
            when baseline_method = 'count_test' and measure is not null
                then greatest(measure_health, material_loss_health)
            else measure_health
        end as {{ type_double() }}) as health,
        threshold_warn,
        threshold_fail,
        measure is not null as is_scored,
        signal_date
    from scored

)

select * from final
