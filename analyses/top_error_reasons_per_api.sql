-- The three most frequent error reasons of each API over the whole period, with their share of
-- that API's non-success calls.
with reasons as (

    select
        api_name,
        error_reason,
        sum(failed_calls) as failed_calls
    from {{ ref('api_error_reasons_daily') }}
    group by api_name, error_reason

),

ranked as (

    select
        api_name,
        error_reason,
        failed_calls,
        cast(failed_calls as {{ type_double() }})
        / sum(failed_calls) over (partition by api_name) as failure_share,
        row_number() over (
            partition by api_name
            order by failed_calls desc, error_reason asc
        ) as reason_rank
    from reasons

)

select * from ranked
where reason_rank <= 3
order by api_name, reason_rank
