{#- Fails on every row whose `column_name` value occurs more than once in the whole model
    (a replayed id is a duplicate whatever day the copy landed on). Each failing row carries
    its own `failure_date`, the duplicated value and how many rows share it (`n_records`), so
    the per-day count is the number of rows involved in duplicates on that day. -#}
{% test unique_by_day(model, column_name, date_column) %}
    {{ config(severity = 'warn', store_failures = true) }}

    with counted as (

        select
            {{ test_failure_context(date_column) }},
            cast({{ column_name }} as {{ dbt.type_string() }}) as failing_value,
            count(*) over (partition by {{ column_name }}) as n_records
        from {{ model }}
        where {{ column_name }} is not null

    ),

    failing_rows as (

        select * from counted
        where n_records > 1

    )

    select * from failing_rows
{% endtest %}
