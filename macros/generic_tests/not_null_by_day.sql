{#- Fails on every row whose `column_name` is null; each failing row carries its
    `failure_date` (from `date_column`). Severity warn + store_failures by default: a data
    incident must be recorded per day, not stop the build. -#}
{% test not_null_by_day(model, column_name, date_column) %}
    {{ config(severity = 'warn', store_failures = true) }}

    with failing_rows as (

        select
            {{ test_failure_context(date_column) }},
            cast(null as {{ dbt.type_string() }}) as failing_value
        from {{ model }}
        where {{ column_name }} is null

    )

    select * from failing_rows
{% endtest %}
