{#- Both trust scores scored against the generator's ground truth: one row per kpi_trust_daily
    row (totals and slices) x score kind.
    * score_kind 'reported' (reported_trust_score, for value_reported): positive when a
      data-quality incident touching the day lists the KPI and covers the row's slice;
    * score_kind 'adjusted' (trust_score, for value): the same, for incidents the warehouse
      cannot repair (is_repairable false); a repaired incident's rows are negatives
      ('repaired': value is right, the score must stay high).
    A positive the score itself calls 'insufficient_data' (too few rows or events for any test
    to see the incident) is undecidable: kept, not evaluated, counted in trust_metrics.
    Slices: an incident covers a row when either is 'all', they are the same slice or the row's
    slice is a pair of the incident's root-cause set (macro incident_covers_slice); a row of a
    dimension every element of the set fixes, with another value, is a 'sibling' (negative:
    must stay high); a row of another dimension is 'indirect' (partly affected, not evaluated). Other negatives:
    'business_only' (a business incident lists the KPI), 'unaffected_by_dq' (a data-quality
    incident that day does not list it), 'clean'. KPIs computed from the next day
    (var('trust_next_day_kpis')) are touched by incidents of day + 1 too. Flagged = score below
    var('trust_low_threshold'). Null values are not evaluated. Empty without labels. The
    incidents' labels per KPI row come from trust_kpi_incident_labels. -#}
with kpi_rows as (

    select
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        value,
        trust_score,
        trust_level,
        top_reasons,
        reported_trust_score,
        reported_trust_level,
        reported_reasons,
        kpi_date
    from {{ ref('kpi_trust_daily') }}

),

incidents as (

    select incident_id
    from {{ ref('stg_ground_truth__injected_incidents') }}
    where not is_quarantined

),

row_labels as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        incident_ids,
        reported_positive,
        adjusted_positive,
        has_repaired,
        has_indirect,
        has_sibling,
        has_business,
        has_unrelated,
        kpi_date
    from {{ ref('trust_kpi_incident_labels') }}

),

scored as (

    {%- for score_kind in ['reported', 'adjusted'] %}
        {%- set prefix = 'reported_' if score_kind == 'reported' else '' %}
        {%- set reasons_column = prefix ~ 'reasons' if prefix else 'top_reasons' %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            kpi_rows.kpi_name,
            kpi_rows.dataset,
            kpi_rows.dimension_name,
            kpi_rows.dimension_value,
            '{{ score_kind }}' as score_kind,
            case
                when row_labels.{{ score_kind }}_positive = 1 then 'data_quality'
                when row_labels.has_indirect = 1 then 'indirect'
                {%- if score_kind == 'adjusted' %}
                    when row_labels.has_repaired = 1 then 'repaired'
                {%- endif %}
                when row_labels.has_sibling = 1 then 'sibling'
                when row_labels.has_business = 1 then 'business_only'
                when row_labels.has_unrelated = 1 then 'unaffected_by_dq'
                else 'clean'
            end as label_class,
            kpi_rows.{{ prefix ~ 'trust_level' }} as trust_level,  -- noqa: AL09
            row_labels.incident_ids,
            kpi_rows.{{ reasons_column }} as reasons,
            kpi_rows.value,
            kpi_rows.{{ prefix ~ 'trust_score' }} as trust_score,  -- noqa: AL09
            coalesce(row_labels.{{ score_kind }}_positive, 0) = 1 as is_positive,
            kpi_rows.kpi_date
        from kpi_rows
        left join row_labels
            on
                kpi_rows.kpi_name = row_labels.kpi_name
                and kpi_rows.dimension_name = row_labels.dimension_name
                and kpi_rows.dimension_value = row_labels.dimension_value
                and kpi_rows.kpi_date = row_labels.kpi_date
        -- labels exist only when the incident table has rows: a warehouse built from users'
        -- own logs has no ground truth, and calling all its days 'clean' would be a claim
        where exists (select 1 from incidents)
    {%- endfor %}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'kpi_name', "'|'", 'dimension_name', "'|'", 'dimension_value', "'|'",
            dbt.cast('kpi_date', api.Column.translate_type('string')), "'|'", 'score_kind'
        ])) }} as trust_evaluation_id,
        kpi_name,
        dataset,
        dimension_name,
        dimension_value,
        score_kind,
        case when dimension_name = 'all' then 'total' else 'slice' end as row_scope,
        label_class,
        trust_level,
        case
            when is_positive and trust_score < {{ var('trust_low_threshold') }} then 'tp'
            when is_positive then 'fn'
            when trust_score < {{ var('trust_low_threshold') }} then 'fp'
            else 'tn'
        end as outcome,
        incident_ids,
        reasons,
        case
            when value is null then 'value is null (nothing to trust)'
            when label_class = 'indirect'
                then 'slice of another dimension than the incident: partly affected'
            when is_positive and trust_level = 'insufficient_data'
                then 'undecidable: the score says the data are too few to decide'
        end as exclusion_reason,
        cast(value as {{ type_double() }}) as value,  -- noqa: RF04
        cast(trust_score as {{ type_double() }}) as trust_score,
        is_positive,
        trust_score < {{ var('trust_low_threshold') }} as is_flagged,
        trust_score >= {{ var('trust_high_threshold') }} as is_high,
        value is not null and label_class <> 'indirect'
        and not (is_positive and coalesce(trust_level, '') = 'insufficient_data') as is_evaluated,
        kpi_date
    from scored

)

select * from final
