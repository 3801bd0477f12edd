{#- One row per KPI-day-slice with an alarm (is_anomaly) on the adjusted or the reported basis of
    kpi_anomalies_daily: both bases' anomaly fields side by side, and the trust of each value
    from kpi_trust_daily. The input of kpi_verdicts_daily. -#}
with anomalies as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        value_basis,
        status,
        direction,
        severity,
        value,
        expected,
        lower,
        upper,
        z,
        score,
        detectors_agreeing,
        is_anomaly,
        kpi_date
    from {{ ref('kpi_anomalies_daily') }}

),

trust as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        trust_level,
        reported_trust_level,
        top_reasons,
        reported_reasons,
        trust_score,
        reported_trust_score,
        max_unseen_loss,
        is_loss_suspected,
        kpi_date
    from {{ ref('kpi_trust_daily') }}

),

adjusted as (

    select * from anomalies
    where value_basis = 'adjusted'

),

reported as (

    select * from anomalies
    where value_basis = 'reported'

),

paired as (

    select
        adjusted.kpi_name,
        adjusted.dataset,
        adjusted.dimension_name,
        adjusted.dimension_value,
        adjusted.unit,
        adjusted.status as adjusted_status,
        reported.status as reported_status,
        adjusted.direction as adjusted_direction,
        reported.direction as reported_direction,
        adjusted.severity as adjusted_severity,
        reported.severity as reported_severity,
        adjusted.value,
        adjusted.expected,
        adjusted.z,
        adjusted.score,
        adjusted.detectors_agreeing,
        reported.value as value_reported,
        reported.expected as expected_reported,
        reported.z as z_reported,
        reported.score as score_reported,
        reported.detectors_agreeing as detectors_agreeing_reported,
        adjusted.is_anomaly as is_adjusted_anomaly,
        reported.is_anomaly as is_reported_anomaly,
        -- the adjusted value moved: in an anomalous episode, or outside its band (a move the
        -- other detectors did not confirm is still a move of the number the verdict is about)
        adjusted.status in ('anomaly', 'ongoing')
        or adjusted.value < adjusted.lower
        or adjusted.value > adjusted.upper as is_adjusted_moved,
        adjusted.kpi_date
    from adjusted
    inner join reported
        on
            adjusted.kpi_name = reported.kpi_name
            and adjusted.dimension_name = reported.dimension_name
            and adjusted.dimension_value = reported.dimension_value
            and adjusted.kpi_date = reported.kpi_date
    where adjusted.is_anomaly or reported.is_anomaly

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'paired.kpi_name', "'|'", 'paired.dimension_name', "'|'", 'paired.dimension_value',
            "'|'", dbt.cast('paired.kpi_date', api.Column.translate_type('string'))
        ])) }} as kpi_verdict_id,
        paired.kpi_name,
        paired.dataset,
        paired.dimension_name,
        paired.dimension_value,
        paired.unit,
        paired.adjusted_status,
        paired.reported_status,
        paired.adjusted_direction,
        paired.reported_direction,
        paired.adjusted_severity,
        paired.reported_severity,
        trust.trust_level,
        trust.reported_trust_level,
        trust.top_reasons,
        trust.reported_reasons,
        paired.value,
        paired.expected,
        paired.z,
        paired.score,
        paired.detectors_agreeing,
        paired.value_reported,
        paired.expected_reported,
        paired.z_reported,
        paired.score_reported,
        paired.detectors_agreeing_reported,
        trust.trust_score,
        trust.reported_trust_score,
        trust.max_unseen_loss,
        trust.is_loss_suspected,
        paired.is_adjusted_anomaly,
        paired.is_reported_anomaly,
        coalesce(paired.is_adjusted_moved, false) as is_adjusted_moved,
        paired.kpi_date
    from paired
    left join trust
        on
            paired.kpi_name = trust.kpi_name
            and paired.dimension_name = trust.dimension_name
            and paired.dimension_value = trust.dimension_value
            and paired.kpi_date = trust.kpi_date

)

select * from final
