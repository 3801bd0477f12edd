{#- Fails on every row where `expression` is not true (false or null), e.g.
    `event_at <= ingested_at`. Each failing row carries `failure_date`; with `column_name`
    (the column the test is attached to) it also carries that column's value. -#}
{% test expression_is_true_by_day(model, expression, date_column, column_name = none) %}
    {{ config(severity = 'warn', store_failures = true) }}

    with failing_rows as (

        select
            {{ test_failure_context(date_column) }},
            {% if column_name is not none -%}
                cast({{ column_name }} as {{ dbt.type_string() }}) as failing_value
            {%- else -%}
                cast(null as {{ dbt.type_string() }}) as failing_value
            {%- endif %}
        from {{ model }}
        where not coalesce({{ expression }}, false)

    )

    select * from failing_rows
{% endtest %}
