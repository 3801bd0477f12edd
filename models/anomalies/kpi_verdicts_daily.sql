{#- "Did it really move?": one row per KPI-day-slice with an anomaly alarm on either value,
    with a verdict (macro anomaly_verdict: data_incident, real_movement, repaired_incident or
    uncertain) and one sentence of reasons, e.g. "revenue_usd -48 % vs expected on
    platform=ios; data trusted (98): real movement". The trust read is that of the value that
    moved: trust_level for `value` when the adjusted value moved, else reported_trust_level; of
    its reasons, the largest only. An insufficient_data value that dropped by more than its
    max_unseen_loss is a real movement, and the sentence says so. A move the warehouse's repairs mostly removed
    (is_mostly_repaired) says how much of it was removed. -#}
{%- set string_type = api.Column.translate_type('string') -%}

with anomalies as (

    select * from {{ ref('kpi_anomalies_trusted_daily') }}

),

shares as (

    select
        *,
        {{ anomaly_repaired_share('value', 'value_reported', 'expected_reported') }}
            as repaired_share
    from anomalies

),

judged as (

    select
        *,
        case when is_adjusted_moved then 'adjusted' else 'reported' end as moved_basis,
        coalesce(
            is_adjusted_moved and repaired_share >= 0.5 and reported_trust_score < trust_score,
            false
        ) as is_mostly_repaired,
        {{ anomaly_verdict(
            'is_adjusted_moved', 'adjusted_status', 'trust_level', 'reported_trust_level',
            'value', 'value_reported', 'trust_score', 'reported_trust_score', 'repaired_share',
            'expected', 'expected_reported', 'max_unseen_loss', 'is_loss_suspected'
        ) }} as verdict
    from shares

),

worded as (

    select
        *,
        coalesce(
            case when moved_basis = 'adjusted' then trust_level else reported_trust_level end,
            'unknown'
        ) as moved_trust_level,
        case when moved_basis = 'adjusted' then trust_score else reported_trust_score end
            as moved_trust_score,
        -- the largest reason only (kpi_trust_daily's reasons are '; '-separated, largest first)
        nullif({{ dbt.split_part(
            "case when moved_basis = 'adjusted' then top_reasons else reported_reasons end",
            "'; '", 1
        ) }}, '') as moved_trust_reason,
        case
            when dimension_name = 'all' then ''
            else {{ dbt.concat(["' on '", 'dimension_name', "'='", 'dimension_value']) }}
        end as slice_text,
        {{ anomaly_change_text('value', 'expected', 'z') }} as adjusted_change,
        {{ anomaly_change_text('value_reported', 'expected_reported', 'z_reported') }}
            as reported_change
    from judged

),

final as (

    select
        kpi_verdict_id,
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        verdict,
        moved_basis,
        moved_trust_level,
        adjusted_status,
        reported_status,
        coalesce(adjusted_direction, reported_direction) as direction,
        coalesce(adjusted_severity, reported_severity) as severity,
        case
            when verdict = 'repaired_incident' then {{ dbt.concat([
                'kpi_name', "' reported '", 'reported_change', 'slice_text',
                "', adjusted value as expected ('", 'adjusted_change',
                "'): the warehouse repaired it'",
                "coalesce(' (' || " ~ dbt.split_part('top_reasons', "'; '", 1) ~ " || ')', '')",
            ]) }}
            when is_mostly_repaired then {{ dbt.concat([
                'kpi_name', "' '", 'adjusted_change', 'slice_text', "'; the warehouse removed '",
                dbt.cast('cast(round(100 * repaired_share, 0) as ' ~ dbt.type_int() ~ ')', string_type),
                "' % of the reported move ('", 'reported_change', "') as defects'",
                "coalesce(' (' || " ~ dbt.split_part('top_reasons', "'; '", 1) ~ " || ')', '')",
                "': data incident, partly repaired'",
            ]) }}
            else {{ dbt.concat([
                'kpi_name', "' '",
                "case when moved_basis = 'adjusted' then adjusted_change else "
                ~ "'reported ' || reported_change end",
                'slice_text', "'; '",
                "case moved_trust_level when 'high' then 'data trusted' "
                ~ "when 'low' then 'data not trusted' else 'trust ' || moved_trust_level end",
                "' ('",
                dbt.cast('cast(round(moved_trust_score, 0) as ' ~ dbt.type_int() ~ ')', string_type),
                "case when moved_trust_level <> 'high' and moved_trust_reason is not null "
                ~ "then ': ' || moved_trust_reason else '' end",
                "'): '",
                "case when moved_trust_level = 'insufficient_data' "
                ~ "and verdict = 'real_movement' then 'a drop larger than any loss the tests "
                ~ "could miss (' || cast(cast(round(100 * max_unseen_loss, 0) as "
                ~ dbt.type_int() ~ ") as " ~ string_type ~ ") || ' %): ' else '' end",
                "replace(verdict, '_', ' ')",
            ]) }}
        end as reasons,
        value,
        expected,
        value_reported,
        expected_reported,
        z,
        z_reported,
        moved_trust_score,
        trust_score,
        reported_trust_score,
        is_adjusted_anomaly,
        is_reported_anomaly,
        is_adjusted_moved,
        kpi_date
    from worded

)

select * from final
