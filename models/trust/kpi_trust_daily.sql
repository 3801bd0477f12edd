{#- One row per kpi_daily row, two scores:
    * trust_score, for `value` (the warehouse's adjusted number): max(0, 100 - the penalties of
      the evidence the warehouse did not repair);
    * reported_trust_score, for `value_reported` (the naive number): every penalty, repaired
      defects included (kpi_trust_evidence_daily.is_repaired).
    Levels: high / medium / low from the thresholds; 'insufficient_data' when the data cannot
    decide and no evidence made the row low: the slice-day has fewer than var('quality_min_rows')
    rows, or (KPIs computed from one event type) a loss of more than
    var('trust_max_undetectable_loss') of its events could go unseen (int_kpi_detectable_losses). Reasons: the three largest penalties in plain words; top_reasons also names the
    repairs behind `value`, with both numbers. -#}
{%- set string_type = api.Column.translate_type('string') -%}

with kpi_rows as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        value,
        value_reported,
        kpi_date
    from {{ ref('kpi_daily') }}

),

penalties as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        evidence_source,
        evidence_name,
        detail,
        penalty,
        repaired_by,
        is_repaired,
        kpi_date
    from {{ ref('kpi_trust_evidence_daily') }}
    where is_counted

),

detectable_losses as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        expected_events,
        min_detectable_loss,
        kpi_date
    from {{ ref('int_kpi_detectable_losses') }}

),

slice_rows as (

    select
        dataset,
        slice_dimension,
        slice_value,
        row_date,
        sum(row_count) as row_count
    from {{ ref('int_hourly_row_counts') }}
    where time_basis = 'event'
    group by 1, 2, 3, 4

),

penalty_totals as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        count(*) as n_reported_penalties,
        sum(case when is_repaired then 0 else 1 end) as n_penalties,
        sum(penalty) as reported_penalty,
        sum(case when is_repaired then 0 else penalty end) as total_penalty
    from penalties
    group by 1, 2, 3, 4

),

ranked_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        is_repaired,
        {{ dbt.concat([
            'detail', "' (-'", dbt.cast('round(penalty, 1)', string_type), "' pts)'"
        ]) }} as reason,
        row_number() over (
            partition by kpi_name, dimension_name, dimension_value, kpi_date
            order by penalty desc, evidence_source asc, evidence_name asc
        ) as reported_rank,
        row_number() over (
            partition by kpi_name, dimension_name, dimension_value, kpi_date, is_repaired
            order by penalty desc, evidence_source asc, evidence_name asc
        ) as kind_rank
    from penalties

),

reported_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        {{ dbt.listagg('reason', "'; '", 'order by reported_rank') }} as reasons
    from ranked_reasons
    where reported_rank <= 3
    group by 1, 2, 3, 4

),

adjusted_reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        {{ dbt.listagg('reason', "'; '", 'order by kind_rank') }} as reasons
    from ranked_reasons
    where not is_repaired and kind_rank <= 3
    group by 1, 2, 3, 4

),

repairs as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        kpi_date,
        {{ dbt.listagg('repaired_by', "', '", 'order by repaired_by') }} as repaired_by
    from (
        select distinct
            kpi_name,
            dimension_name,
            dimension_value,
            kpi_date,
            repaired_by
        from penalties
        where is_repaired
    ) as distinct_repairs
    group by 1, 2, 3, 4

),

scored as (

    select
        kpi_rows.*,
        {{ dbt.concat([
            "'repaired in value: '", 'repairs.repaired_by', "' (value_reported '",
            dbt.cast('round(kpi_rows.value_reported, 2)', string_type), "' -> value '",
            dbt.cast('round(kpi_rows.value, 2)', string_type), "')'"
        ]) }} as repair_note,
        adjusted_reasons.reasons as adjusted_reasons,
        reported_reasons.reasons as reported_reasons,
        coalesce(slice_rows.row_count, 0) as slice_rows,
        detectable_losses.expected_events,
        detectable_losses.min_detectable_loss,
        coalesce(slice_rows.row_count, 0) < {{ var('quality_min_rows') }}
        or coalesce(detectable_losses.min_detectable_loss, 0)
        > {{ var('trust_max_undetectable_loss') }} as is_undecidable,
        greatest(0, 100 - coalesce(penalty_totals.total_penalty, 0)) as trust_score,
        greatest(0, 100 - coalesce(penalty_totals.reported_penalty, 0)) as reported_trust_score,
        coalesce(penalty_totals.total_penalty, 0) as total_penalty,
        coalesce(penalty_totals.n_penalties, 0) as n_penalties
    from kpi_rows
    left join penalty_totals
        on
            kpi_rows.kpi_name = penalty_totals.kpi_name
            and kpi_rows.dimension_name = penalty_totals.dimension_name
            and kpi_rows.dimension_value = penalty_totals.dimension_value
            and kpi_rows.kpi_date = penalty_totals.kpi_date
    left join reported_reasons
        on
            kpi_rows.kpi_name = reported_reasons.kpi_name
            and kpi_rows.dimension_name = reported_reasons.dimension_name
            and kpi_rows.dimension_value = reported_reasons.dimension_value
            and kpi_rows.kpi_date = reported_reasons.kpi_date
    left join adjusted_reasons
        on
            kpi_rows.kpi_name = adjusted_reasons.kpi_name
            and kpi_rows.dimension_name = adjusted_reasons.dimension_name
            and kpi_rows.dimension_value = adjusted_reasons.dimension_value
            and kpi_rows.kpi_date = adjusted_reasons.kpi_date
    left join repairs
        on
            kpi_rows.kpi_name = repairs.kpi_name
            and kpi_rows.dimension_name = repairs.dimension_name
            and kpi_rows.dimension_value = repairs.dimension_value
            and kpi_rows.kpi_date = repairs.kpi_date
    left join detectable_losses
        on
            kpi_rows.kpi_name = detectable_losses.kpi_name
            and kpi_rows.dimension_name = detectable_losses.dimension_name
            and kpi_rows.dimension_value = detectable_losses.dimension_value
            and kpi_rows.kpi_date = detectable_losses.kpi_date
    left join slice_rows
        on
            kpi_rows.dataset = slice_rows.dataset
            and kpi_rows.dimension_name = slice_rows.slice_dimension
            and kpi_rows.dimension_value = slice_rows.slice_value
            and kpi_rows.kpi_date = slice_rows.row_date

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'kpi_name', "'|'", 'dimension_name', "'|'", 'dimension_value', "'|'",
            dbt.cast('kpi_date', string_type)
        ])) }} as kpi_trust_id,
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        unit,
        {{ trust_level('trust_score', 'is_undecidable') }} as trust_level,
        {{ trust_level('reported_trust_score', 'is_undecidable') }} as reported_trust_level,
        case
            when repair_note is not null and adjusted_reasons is not null
                then repair_note || '; ' || adjusted_reasons
            when repair_note is not null then repair_note
            when adjusted_reasons is not null then adjusted_reasons
            when slice_rows < {{ var('quality_min_rows') }}
                then 'only ' || {{ dbt.cast('slice_rows', string_type) }}
                    || ' rows in this slice-day: too few for the quality tests to decide'
            when is_undecidable
                then 'a loss of up to '
                    || {{ dbt.cast('cast(round(100 * min_detectable_loss, 0) as integer)', string_type) }}
                    || '% of its events could go unseen here ('
                    || {{ dbt.cast('cast(round(expected_events, 0) as integer)', string_type) }}
                    || ' expected): too few to decide'
        end as top_reasons,
        reported_reasons,
        cast(value as {{ type_double() }}) as value,  -- noqa: RF04
        cast(value_reported as {{ type_double() }}) as value_reported,
        cast(round(trust_score, 2) as {{ type_double() }}) as trust_score,
        cast(round(reported_trust_score, 2) as {{ type_double() }}) as reported_trust_score,
        cast(round(total_penalty, 2) as {{ type_double() }}) as total_penalty,
        cast(n_penalties as {{ dbt.type_int() }}) as n_penalties,
        cast(min_detectable_loss as {{ type_double() }}) as min_detectable_loss,
        kpi_date
    from scored

)

select * from final
