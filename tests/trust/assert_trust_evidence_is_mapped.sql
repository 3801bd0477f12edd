{#- Warns about date-aware dbt tests of this invocation (their failing rows carry the day they
    concern, so they are trust evidence) whose evidence name is not in the lineage seed
    trust_evidence_map: such a test can fail without lowering any KPI's trust. Either map it
    (a row per KPI group it concerns) or accept that it is not evidence about a KPI. -#}
{{ config(severity = 'warn') }}

with date_aware_tests as (

    select distinct
        {{ dbt.concat([
            'tested_model', "':'", 'test_type', "':'", 'coalesce(tested_column, test_name)'
        ]) }} as evidence_name
    from {{ ref('dbt_test_results') }}
    where
        invocation_id = '{{ invocation_id }}'
        and has_failure_date
        and (tested_model like '%game%' or tested_model like '%api%')

),

mapped as (

    select distinct evidence_name
    from {{ ref('trust_evidence_map') }}
    where evidence_source = 'dbt_test'

),

final as (

    select date_aware_tests.evidence_name
    from date_aware_tests
    left join mapped
        on date_aware_tests.evidence_name = mapped.evidence_name
    where mapped.evidence_name is null

)

select * from final
