{#- Fails on every row whose `column_name` is not in `values` (nulls pass, as in dbt's
    built-in accepted_values); each failing row carries `failure_date` and the offending value. -#}
{% test accepted_values_by_day(model, column_name, values, date_column, quote = true) %}
    {{ config(severity = 'warn', store_failures = true) }}

    with failing_rows as (

        select
            {{ test_failure_context(date_column) }},
            cast({{ column_name }} as {{ dbt.type_string() }}) as failing_value
        from {{ model }}
        where
            {{ column_name }} is not null
            and {{ column_name }} not in (
                {%- for value in values -%}
                    {%- if quote -%}'{{ value }}'{%- else -%}{{ value }}{%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
            )

    )

    select * from failing_rows
{% endtest %}
