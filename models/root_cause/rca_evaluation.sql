{#- The root causes scored against the labels: one row per labelled incident x KPI it lists
    (trust_incident_kpis) x verdict row it covers (macros incident_covers_slice,
    incident_touches_day): on the total, on each slice of a pair of its root-cause set, or any
    slice for a dataset-wide incident. Expected causes: on the total every element of the
    root_cause (two for an incident on two slices); on a slice the elements holding its pair;
    dataset-wide: 'all' on the total (broad), the row's own slice on a slice (moved whole). Top-1
    hit: the first n causes are the n expected ones; top-3: all among the first three. Install
    cohort pairs are dropped before comparing (labels state none). A row whose first cause is
    'too_few_events' is not decidable (rca_metrics counts it apart). Empty without labels. -#}
{%- set row_keys = ['incident_id', 'kpi_name', 'dimension_name', 'dimension_value', 'kpi_date'] -%}

with incidents as (

    select * from {{ ref('trust_incident_kpis') }}

),

causes as (

    select
        kpi_name,
        dimension_name,
        dimension_value,
        verdict,
        cause_rank,
        effect,
        kpi_date,
        -- pairs joined by '&', install cohort pairs dropped
        {{ regex_remove(regex_remove('root_cause', "'install_week=[^&]*&?'"), "'&$'") }}
            as root_cause
    from {{ ref('kpi_root_causes') }}

),

label_elements as (

    -- the elements of each incident's root-cause set (';'-separated, at most three)
    {%- for part in range(1, 4) %}
        select distinct
            incident_id,
            {{ dbt.split_part('root_cause', "';'", part) }} as element
        from incidents
        where root_cause != 'all'
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

rows_covered as (

    select
        incidents.incident_id,
        incidents.kpi_name,
        incidents.dataset,
        incidents.category,
        incidents.incident_type,
        incidents.slice_dimension,
        incidents.root_cause as labelled_root_cause,
        causes.dimension_name,
        causes.dimension_value,
        causes.verdict,
        max(case when causes.cause_rank = 1 then causes.root_cause end) as top_root_cause,
        max(case when causes.cause_rank = 1 then causes.effect end) as top_effect,
        causes.kpi_date
    from incidents
    inner join causes
        on
            incidents.kpi_name = causes.kpi_name
            and {{ incident_covers_slice(
                'causes.dimension_name', 'causes.dimension_value',
                'incidents.slice_dimension', 'incidents.slice_value', 'incidents.root_cause'
            ) }}
            and {{ incident_touches_day(
                'causes.kpi_name', 'causes.kpi_date', 'incidents.start_at', 'incidents.end_at'
            ) }}
    group by
        incidents.incident_id, incidents.kpi_name, incidents.dataset, incidents.category,
        incidents.incident_type, incidents.slice_dimension, incidents.root_cause,
        causes.dimension_name, causes.dimension_value, causes.verdict, causes.kpi_date

),

expected_elements as (

    -- a sliced incident: its elements holding the row's slice (all of them on the total); the
    -- labelled slice is a pair of root_cause (trust_incident_kpis makes it so without one)
    select
        {%- for key in row_keys %}
            rows_covered.{{ key }},
        {%- endfor %}
        label_elements.element
    from rows_covered
    inner join label_elements
        on rows_covered.incident_id = label_elements.incident_id
    where
        rows_covered.slice_dimension != 'all'
        and coalesce(label_elements.element, '') != ''
        and (
            rows_covered.dimension_name = 'all'
            or {{ dbt.position(
                dbt.concat([
                    "'&'", 'rows_covered.dimension_name', "'='",
                    'rows_covered.dimension_value', "'&'"
                ]),
                dbt.concat(["'&'", 'label_elements.element', "'&'"])
            ) }} > 0
        )
    union all
    -- a dataset-wide incident: broad on the total, the row's own slice moved as a whole
    select
        {%- for key in row_keys %}
            {{ key }},
        {%- endfor %}
        case
            when dimension_name = 'all' then 'all'
            else {{ dbt.concat(['dimension_name', "'='", 'dimension_value']) }}
        end as element
    from rows_covered
    where slice_dimension = 'all'

),

element_ranks as (

    -- each expected element's best rank among the row's causes (null when not named)
    select
        {%- for key in row_keys %}
            expected_elements.{{ key }},
        {%- endfor %}
        expected_elements.element,
        min(causes.cause_rank) as best_rank
    from expected_elements
    left join causes
        on
            expected_elements.kpi_name = causes.kpi_name
            and expected_elements.dimension_name = causes.dimension_name
            and expected_elements.dimension_value = causes.dimension_value
            and expected_elements.kpi_date = causes.kpi_date
            and expected_elements.element = causes.root_cause
    group by
        {%- for key in row_keys %}
            expected_elements.{{ key }},
        {%- endfor %}
        expected_elements.element

),

ranked as (

    select
        {%- for key in row_keys %}
            {{ key }},
        {%- endfor %}
        {{ dbt.listagg('element', "';'", 'order by element') }} as expected_root_cause,
        count(*) as n_expected,
        -- the worst rank of an expected element (1000: not named); distinct elements hold
        -- distinct ranks, so worst <= n means the first n causes are the expected ones
        max(coalesce(best_rank, 1000)) as worst_rank
    from element_ranks
    group by {{ row_keys | join(', ') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'rows_covered.incident_id', "'|'", 'rows_covered.kpi_name', "'|'",
            'rows_covered.dimension_name', "'|'", 'rows_covered.dimension_value', "'|'",
            dbt.safe_cast('rows_covered.kpi_date', dbt.type_string())
        ])) }} as rca_evaluation_id,
        rows_covered.incident_id,
        rows_covered.kpi_name,
        rows_covered.dataset,
        rows_covered.category,
        rows_covered.incident_type,
        rows_covered.dimension_name,
        rows_covered.dimension_value,
        rows_covered.verdict,
        rows_covered.labelled_root_cause,
        ranked.expected_root_cause,
        rows_covered.top_root_cause,
        rows_covered.slice_dimension != 'all' as has_slice,
        ranked.worst_rank <= ranked.n_expected as is_top1_hit,
        ranked.worst_rank <= 3 as is_top3_hit,
        coalesce(rows_covered.top_effect, '') != 'too_few_events' as is_decidable,
        rows_covered.kpi_date
    from rows_covered
    inner join ranked
        on
            {%- for key in row_keys %}
                rows_covered.{{ key }} = ranked.{{ key }}{% if not loop.last %} and{% endif %}
            {%- endfor %}

)

select * from final
