{#- Fails on every row whose timestamp `column_name` is later than `reference_column` plus
    `tolerance_hours`, e.g. an event time after its ingestion time (a clock or timezone bug) or
    an ingestion time more than a day after the event (a late batch). Rows where either
    timestamp is null pass (not_null_by_day covers them). Each failing row carries
    `failure_date` and the offending value. -#}
{% test not_later_than_by_day(
    model, column_name, reference_column, date_column, tolerance_hours = 0
) %}
    {{ config(severity = 'warn', store_failures = true) }}

    with failing_rows as (

        select
            {{ test_failure_context(date_column) }},
            cast({{ column_name }} as {{ dbt.type_string() }}) as failing_value
        from {{ model }}
        where
            {{ column_name }} is not null
            and {{ reference_column }} is not null
            and {{ column_name }} > {{ dbt.dateadd('hour', tolerance_hours, reference_column) }}

    )

    select * from failing_rows
{% endtest %}
