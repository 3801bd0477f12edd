-- Failure rate by document type per week, to see which document types fail most and whether
-- that changed (e.g. after a release).
with document_days as (

    select * from {{ ref('api_performance_rollup_daily') }}
    where dimension_name = 'document_type'

),

final as (

    select
        dimension_value as document_type,
        cast({{ dbt.date_trunc('week', 'call_date') }} as date) as week_start_date,
        sum(calls) as calls,
        sum(failures) as failures,
        cast(sum(failures) as {{ type_double() }}) / sum(calls) as failure_rate
    from document_days
    group by dimension_value, cast({{ dbt.date_trunc('week', 'call_date') }} as date)

)

select * from final
order by document_type, week_start_date
