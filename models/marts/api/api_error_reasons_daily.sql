with failed_calls as (

    select * from {{ ref('fct_api_calls') }}
    where
        status in ('failure', 'timeout')
        {%- if is_incremental() %}
            and call_date >= {{ incremental_lookback_start('call_date') }}
        {%- endif %}

),

reason_counts as (

    select
        call_date,
        api_name,
        coalesce(error_reason, 'unknown') as error_reason,
        cast(count(*) as {{ dbt.type_bigint() }}) as failed_calls,
        cast(
            sum(case when status = 'timeout' then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as timeouts
    from failed_calls
    group by call_date, api_name, coalesce(error_reason, 'unknown')

),

final as (

    select
        api_name,
        error_reason,
        failed_calls,
        timeouts,
        cast(failed_calls as {{ type_double() }})
        / sum(failed_calls) over (partition by call_date, api_name) as failure_share,
        call_date
    from reason_counts

)

select * from final
