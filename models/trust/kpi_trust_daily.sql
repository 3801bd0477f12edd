{#- One row per kpi_daily row, two scores:
    * trust_score, for `value` (the warehouse's adjusted number): max(0, 100 - the penalties of
      the evidence the warehouse did not repair);
    * reported_trust_score, for `value_reported` (the naive number): every penalty, repaired
      defects included (kpi_trust_evidence_daily.is_repaired).
    Levels: high / medium / low from the thresholds; 'insufficient_data' when the data cannot
    decide and no evidence made the row low: the slice-day has fewer than var('quality_min_rows')
    rows, or (KPIs computed from one event type) a loss of more than
    var('trust_max_undetectable_loss') of its events could go unseen (int_kpi_unseen_losses;
    for a total, also of a material slice's events: undecidable_slice). Reasons: the three largest penalties in plain words; top_reasons also names the
    repairs behind `value`, with both numbers. Penalties are summed and worded per KPI row in
    trust_kpi_reasons_daily. -#}
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

reasons as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        reported_reasons,
        adjusted_reasons,
        repaired_by,
        n_penalties,
        reported_penalty,
        total_penalty,
        kpi_date
    from {{ ref('trust_kpi_reasons_daily') }}

),

detectable_losses as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        expected_events,
        min_detectable_loss,
        max_unseen_loss,
        is_loss_suspected,
        undecidable_slice,
        kpi_date
    from {{ ref('int_kpi_unseen_losses') }}

),

slice_rows as (

    select
        dataset,
        slice_dimension,
        slice_value,
        row_count,
        row_date
    from {{ ref('int_trust_slice_rows_daily') }}

),

scored as (

    select
        kpi_rows.*,
        {{ dbt.concat([
            "'repaired in value: '", 'reasons.repaired_by', "' (value_reported '",
            dbt.cast(signed_round('kpi_rows.value_reported', 2), string_type), "' -> value '",
            dbt.cast(signed_round('kpi_rows.value', 2), string_type), "')'"
        ]) }} as repair_note,
        reasons.adjusted_reasons,
        reasons.reported_reasons,
        coalesce(slice_rows.row_count, 0) as slice_rows,
        detectable_losses.expected_events,
        detectable_losses.min_detectable_loss,
        detectable_losses.max_unseen_loss,
        detectable_losses.is_loss_suspected,
        detectable_losses.undecidable_slice,
        coalesce(slice_rows.row_count, 0) < {{ var('quality_min_rows') }}
        or coalesce(detectable_losses.min_detectable_loss, 0)
        > {{ var('trust_max_undetectable_loss') }}
        or detectable_losses.undecidable_slice is not null as is_undecidable,
        greatest(0, 100 - coalesce(reasons.total_penalty, 0)) as trust_score,
        greatest(0, 100 - coalesce(reasons.reported_penalty, 0)) as reported_trust_score,
        coalesce(reasons.total_penalty, 0) as total_penalty,
        coalesce(reasons.n_penalties, 0) as n_penalties
    from kpi_rows
    left join reasons
        on
            kpi_rows.kpi_name = reasons.kpi_name
            and kpi_rows.dimension_name = reasons.dimension_name
            and kpi_rows.dimension_value = reasons.dimension_value
            and kpi_rows.kpi_date = reasons.kpi_date
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
            when
                is_undecidable
                and min_detectable_loss > {{ var('trust_max_undetectable_loss') }}
                then 'a loss of up to '
                    || {{ dbt.cast(
                        'cast(round(100 * min_detectable_loss, 0) as integer)', string_type
                    ) }}
                    || '% of its events could go unseen here ('
                    || {{ dbt.cast('cast(round(expected_events, 0) as integer)', string_type) }}
                    || ' expected): too few to decide'
            when is_undecidable
                then 'a loss confined to ' || undecidable_slice
                    || ' could go unseen: its own events are too few to decide'
        end as top_reasons,
        reported_reasons,
        cast(value as {{ type_double() }}) as value,  -- noqa: RF04
        cast(value_reported as {{ type_double() }}) as value_reported,
        cast(round(trust_score, 2) as {{ type_double() }}) as trust_score,
        cast(round(reported_trust_score, 2) as {{ type_double() }}) as reported_trust_score,
        cast(round(total_penalty, 2) as {{ type_double() }}) as total_penalty,
        cast(n_penalties as {{ dbt.type_int() }}) as n_penalties,
        cast(min_detectable_loss as {{ type_double() }}) as min_detectable_loss,
        cast(max_unseen_loss as {{ type_double() }}) as max_unseen_loss,
        is_loss_suspected,
        kpi_date
    from scored

)

select * from final
