{#- The API log as a naive dashboard query sees it: every raw row whose requested_at parses
    (duplicates and quarantined-but-dated rows included), status compared as written (so
    `SUCCESS` is not a success), latency taken as milliseconds whatever its unit. Categories use
    staging's normalised names so the rows line up with the adjusted marts. -#}
with api_calls as (

    select * from {{ ref('stg_api_gateway__api_calls') }}
    where
        call_date is not null
        -- a naive query still cannot put a row on a day outside the log (year 2030, 1970);
        -- rows timed after their ingestion stay: a naive query counts them on that day
        and coalesce(quarantine_reason, '') not in ('before_log_period', 'after_reference_time')

),

final as (

    select
        source_row_number,
        call_id,
        api_name,
        api_version,
        region,
        client_type,
        document_type,
        status_raw as status,
        latency_ms,
        call_date
    from api_calls

)

select * from final
