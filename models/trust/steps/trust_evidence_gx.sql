{#- Great Expectations evidence of THIS invocation: one row per dataset x day x expectation of
    gx_validation_results with run_id = this invocation_id (an earlier run's results never feed
    today's trust). Column-map expectations score like dbt tests from unexpected_count /
    element_count (failing_share_health); aggregate ones (row count, quantiles, column set) 1 on
    success, 0 on failure. Expectations that raised are tool errors, not evidence about the
    data, and are left out. With the model off (on Spark, or KPI_TRUST_GX=off) there are no rows: that
    build says so in one line (macro engine_notes). -#}
with gx_results as (

    select
        expectation_key,
        dataset,
        expectation_type,
        column_name,
        observed_value,
        element_count,
        unexpected_count,
        success,
        batch_date
    from {{ enabled_ref('gx_validation_results', {
        'run_id': 'string', 'expectation_key': 'string', 'dataset': 'string',
        'expectation_type': 'string', 'column_name': 'string', 'observed_value': 'string',
        'element_count': 'bigint', 'unexpected_count': 'bigint', 'success': 'boolean',
        'exception_message': 'string', 'batch_date': 'date',
    }) }}
    where
        run_id = '{{ invocation_id }}'
        and exception_message is null

),

final as (

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
                then {{ failing_share_health('unexpected_count', 'element_count') }}
            when success then 1
            else 0
        end as {{ type_double() }}) as health,
        cast(null as {{ type_double() }}) as loss_share,
        batch_date as evidence_date
    from gx_results

)

select * from final
