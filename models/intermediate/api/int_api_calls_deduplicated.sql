{#- One row per call_id among valid (non-quarantined) staged rows: the copy that landed first
    (earliest ingested_at, then earliest file row). Replayed batches repeat ids with a later
    ingested_at; copy_count keeps how many valid copies arrived. Stored (the fact and the
    latency-unit detection both read it); incremental on DuckDB: a run recomputes the ids with
    a copy staged since the last run (macros/loading/incremental_dedup.sql). -#}
with api_calls as (

    select * from {{ ref('stg_api_gateway__api_calls') }}
    where not is_quarantined
        {{ copies_of_new_ids('call_id', ref('stg_api_gateway__api_calls')) }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by call_id
            order by ingested_at, source_row_number
        ) as copy_rank,
        count(*) over (partition by call_id) as copy_count
    from api_calls

),

final as (

    select
        call_id,
        batch_id,
        api_name,
        api_version,
        region,
        client_type,
        document_type,
        status,
        status_raw,
        error_reason,
        source_row_number,
        http_status,
        latency_ms,
        copy_count,
        status_raw <> status as is_status_case_drift,
        call_date,
        requested_at,
        ingested_at,
        log_first_ingested_at
    from ranked
    where copy_rank = 1

)

select * from final
