{#- dbt-test evidence of THIS invocation: one row per dataset x day x failing date-aware test
    (dbt_test_failures_daily rows with invocation_id = this invocation). Health from the failing
    share of the day's staged rows (failing_share_health). The dataset is read from the tested
    model's name (staging, facts and marts are named for their source). -#}
with test_failures as (

    select
        test_name,
        test_type,
        tested_model,
        tested_column,
        failing_rows,
        failure_date
    from {{ ref('dbt_test_failures_daily') }}
    where
        invocation_id = '{{ invocation_id }}'
        and failure_date is not null
        and failing_rows > 0

),

api_calls as (

    select call_date as row_date
    from {{ ref('stg_api_gateway__api_calls') }}

),

game_events as (

    select event_date as row_date
    from {{ ref('stg_game_telemetry__game_events') }}

),

day_rows as (

    -- the day's staged rows per dataset: the denominator of a dbt test's failing share
    select
        'api_calls' as dataset,
        row_date,
        count(*) as n_rows
    from api_calls
    where row_date is not null
    group by 1, 2

    union all

    select
        'game_events' as dataset,
        row_date,
        count(*) as n_rows
    from game_events
    where row_date is not null
    group by 1, 2

),

tested_datasets as (

    select distinct
        tested_model,
        case
            when tested_model like '%game%' then 'game_events'
            when tested_model like '%api%' then 'api_calls'
        end as dataset
    from test_failures

),

final as (

    select
        tested_datasets.dataset,
        'dbt_test' as evidence_source,
        {{ dbt.concat([
            'test_failures.tested_model', "':'", 'test_failures.test_type', "':'",
            'coalesce(test_failures.tested_column, test_failures.test_name)'
        ]) }} as evidence_name,
        case
            when test_failures.test_type like 'not_null%' then 'completeness'
            when test_failures.test_type like 'unique%' then 'uniqueness'
            when test_failures.test_type like 'accepted_values%' then 'schema_consistency'
            else 'validity'
        end as evidence_category,
        'all' as slice_dimension,
        'all' as slice_value,
        coalesce(test_failures.tested_column, 'rows') as scope,
        {{ dbt.concat([
            "'dbt test '", 'test_failures.test_type', "' on '", 'test_failures.tested_model',
            "coalesce('.' || test_failures.tested_column, '')",
            "': '", dbt.cast('test_failures.failing_rows', api.Column.translate_type('string')),
            "' failing rows ('",
            dbt.cast(
                'round(100.0 * test_failures.failing_rows / day_rows.n_rows, 1)',
                api.Column.translate_type('string')
            ),
            "' % of the day''s rows) on '",
            dbt.cast('test_failures.failure_date', api.Column.translate_type('string'))
        ]) }} as detail,
        cast(1.0 * test_failures.failing_rows / day_rows.n_rows as {{ type_double() }}) as measure,
        cast(
            {{ failing_share_health('test_failures.failing_rows', 'day_rows.n_rows') }}
            as {{ type_double() }}
        ) as health,
        cast(null as {{ type_double() }}) as loss_share,
        test_failures.failure_date as evidence_date
    from test_failures
    inner join tested_datasets
        on test_failures.tested_model = tested_datasets.tested_model
    inner join day_rows
        on
            tested_datasets.dataset = day_rows.dataset
            and test_failures.failure_date = day_rows.row_date

)

select * from final
