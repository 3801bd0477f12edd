{#- Staged rows per dataset x slice x day (event time), and each slice's share of its
    dataset's rows that day: the volume behind slice materiality (trust_evidence_daily)
    and the insufficient-data rule (kpi_trust_daily). The 'all' slice is the whole dataset. -#}
with hourly_rows as (

    select
        dataset,
        slice_dimension,
        slice_value,
        row_count,
        row_date
    from {{ ref('int_hourly_row_counts') }}
    where time_basis = 'event'

),

slice_rows as (

    select
        dataset,
        slice_dimension,
        slice_value,
        row_date,
        sum(row_count) as row_count
    from hourly_rows
    group by 1, 2, 3, 4

),

final as (

    select
        slices.dataset,
        slices.slice_dimension,
        slices.slice_value,
        slices.row_count,
        case
            when totals.row_count > 0 then 1.0 * slices.row_count / totals.row_count
        end as slice_share,
        slices.row_date
    from slice_rows as slices
    left join slice_rows as totals
        on
            slices.dataset = totals.dataset
            and slices.row_date = totals.row_date
            and totals.slice_dimension = 'all'

)

select * from final
