{#- Every piece of quality evidence of THIS invocation, one row per dataset x day x slice x
    evidence item, on one scale: health 1 = healthy, 0 = certainly broken.
    * quality_signal: quality_signals_daily as is (rebuilt every invocation).
    * dbt_test: dbt_test_failures_daily rows of this invocation_id; health from the failing
      share of the day's rows (0 once it reaches var('trust_failing_share_unhealthy')).
    * great_expectations: gx_validation_results rows of this invocation (run_id = invocation_id;
      an earlier run's results never feed today's trust); column-map expectations score
      like dbt tests from unexpected_count / element_count, aggregate ones (row count, quantiles,
      column set) 1 on success and 0 on failure. Expectations that raised are tool errors, not
      evidence about the data, and are left out.
    Each row also says whether its slice is material: the slice held at least
    var('trust_material_slice_share') of the dataset's rows that day. -#}
{%- set unhealthy_share = var('trust_failing_share_unhealthy') -%}

with quality_signals as (

    select
        dataset,
        slice_dimension,
        slice_value,
        signal_category,
        signal_name,
        scope,
        detail,
        measure,
        health,
        signal_date
    from {{ ref('quality_signals_daily') }}

),

test_failures as (

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

gx_results as (

    select
        run_id,
        expectation_key,
        dataset,
        expectation_type,
        column_name,
        observed_value,
        element_count,
        unexpected_count,
        success,
        batch_date,
        run_at
    from {{ ref('gx_validation_results') }}
    where
        run_id = '{{ invocation_id }}'
        and exception_message is null

),

api_calls as (

    select call_date as row_date
    from {{ ref('stg_api_gateway__api_calls') }}

),

game_events as (

    select event_date as row_date
    from {{ ref('stg_game_telemetry__game_events') }}

),

slice_rows as (

    select
        dataset,
        slice_dimension,
        slice_value,
        row_date,
        sum(row_count) as row_count
    from {{ ref('int_hourly_row_counts') }}
    where time_basis = 'event'
    group by 1, 2, 3, 4

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

    -- which dataset a tested model belongs to: the model's name says it (staging, facts and
    -- marts are named for their source)
    select distinct
        tested_model,
        case
            when tested_model like '%game%' then 'game_events'
            when tested_model like '%api%' then 'api_calls'
        end as dataset
    from test_failures

),

signal_evidence as (

    select
        dataset,
        'quality_signal' as evidence_source,
        signal_name as evidence_name,
        signal_category as evidence_category,
        slice_dimension,
        slice_value,
        scope,
        {{ dbt.concat([
            'signal_name', "': '", 'detail',
            "case when slice_dimension = 'all' then '' else ' (' || slice_dimension || ' = ' || slice_value || ')' end",
            "' on '", dbt.cast('signal_date', api.Column.translate_type('string'))
        ]) }} as detail,
        cast(measure as {{ type_double() }}) as measure,
        cast(health as {{ type_double() }}) as health,
        signal_date as evidence_date
    from quality_signals

),

test_evidence as (

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
        cast(case
            when 1.0 * test_failures.failing_rows / day_rows.n_rows >= {{ unhealthy_share }}
                then 0
            else 1 - (1.0 * test_failures.failing_rows / day_rows.n_rows) / {{ unhealthy_share }}
        end as {{ type_double() }}) as health,
        test_failures.failure_date as evidence_date
    from test_failures
    inner join tested_datasets
        on test_failures.tested_model = tested_datasets.tested_model
    inner join day_rows
        on
            tested_datasets.dataset = day_rows.dataset
            and test_failures.failure_date = day_rows.row_date

),

gx_evidence as (

    select
        dataset,
        'great_expectations' as evidence_source,
        expectation_key as evidence_name,
        case
            when expectation_type like '%not_be_null%' then 'completeness'
            when expectation_type like '%unique%' then 'uniqueness'
            when expectation_type like '%row_count%' then 'volume'
            when
                expectation_type like '%in_set%'
                or expectation_type like '%match_regex%'
                or expectation_type like '%columns_to_match%'
                or expectation_type like '%contain_set%' then 'schema_consistency'
            else 'validity'
        end as evidence_category,
        'all' as slice_dimension,
        'all' as slice_value,
        coalesce(column_name, 'rows') as scope,
        case
            when unexpected_count is not null and element_count > 0
                then {{ dbt.concat([
                    "'Great Expectations '", 'expectation_type',
                    "coalesce(' on ' || column_name, '')", "': '",
                    dbt.cast('unexpected_count', api.Column.translate_type('string')),
                    "' unexpected rows ('",
                    dbt.cast(
                        'round(100.0 * unexpected_count / element_count, 1)',
                        api.Column.translate_type('string')
                    ),
                    "' %) on '",
                    dbt.cast('batch_date', api.Column.translate_type('string'))
                ]) }}
            else {{ dbt.concat([
                "'Great Expectations '", 'expectation_type',
                "coalesce(' on ' || column_name, '')", "' failed (observed '",
                "coalesce(observed_value, 'n/a')", "') on '",
                dbt.cast('batch_date', api.Column.translate_type('string'))
            ]) }}
        end as detail,
        cast(case
            when unexpected_count is not null and element_count > 0
                then 1.0 * unexpected_count / element_count
            when success then 0
            else 1
        end as {{ type_double() }}) as measure,
        cast(case
            when unexpected_count is not null and element_count > 0
                then case
                        when 1.0 * unexpected_count / element_count >= {{ unhealthy_share }} then 0
                        else 1 - (1.0 * unexpected_count / element_count) / {{ unhealthy_share }}
                    end
            when success then 1
            else 0
        end as {{ type_double() }}) as health,
        batch_date as evidence_date
    from gx_results

),

unioned as (

    select * from signal_evidence
    union all
    select * from test_evidence
    union all
    select * from gx_evidence

),

slice_shares as (

    select
        slices.dataset,
        slices.slice_dimension,
        slices.slice_value,
        slices.row_date,
        case
            when totals.row_count > 0 then 1.0 * slices.row_count / totals.row_count
        end as slice_share
    from slice_rows as slices
    inner join slice_rows as totals
        on
            slices.dataset = totals.dataset
            and slices.row_date = totals.row_date
            and totals.slice_dimension = 'all'
    where slices.slice_dimension <> 'all'

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'unioned.dataset', "'|'", 'unioned.evidence_source', "'|'", 'unioned.evidence_name',
            "'|'", 'unioned.slice_dimension', "'|'", 'unioned.slice_value', "'|'",
            dbt.cast('unioned.evidence_date', api.Column.translate_type('string'))
        ])) }} as evidence_id,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
        unioned.dataset,
        unioned.evidence_source,
        unioned.evidence_name,
        unioned.evidence_category,
        unioned.slice_dimension,
        unioned.slice_value,
        unioned.scope,
        unioned.detail,
        unioned.measure,
        case
            when unioned.health < 0 then 0
            when unioned.health > 1 then 1
            else unioned.health
        end as health,
        case
            when unioned.slice_dimension = 'all' then 1.0
            else slice_shares.slice_share
        end as slice_share,
        unioned.slice_dimension <> 'all'
        and coalesce(slice_shares.slice_share, 0) >= {{ var('trust_material_slice_share') }}
            as is_material_slice,
        unioned.evidence_date
    from unioned
    left join slice_shares
        on
            unioned.dataset = slice_shares.dataset
            and unioned.slice_dimension = slice_shares.slice_dimension
            and unioned.slice_value = slice_shares.slice_value
            and unioned.evidence_date = slice_shares.row_date
    where unioned.health is not null

)

select * from final
