{#- Fails on every row whose `column_name` lies outside [min_value, max_value] (either bound
    optional; `inclusive = false` makes them strict). Nulls pass (use not_null_by_day).
    Each failing row carries `failure_date` and the offending value. -#}
{% test accepted_range_by_day(
    model, column_name, date_column, min_value = none, max_value = none, inclusive = true
) %}
    {{ config(severity = 'warn', store_failures = true) }}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            'accepted_range_by_day on ' ~ column_name ~ ': give min_value, max_value or both'
        ) }}
    {%- endif -%}
    {%- set lower_op = '>=' if inclusive else '>' -%}
    {%- set upper_op = '<=' if inclusive else '<' %}

    with failing_rows as (

        select
            {{ test_failure_context(date_column) }},
            cast({{ column_name }} as {{ dbt.type_string() }}) as failing_value
        from {{ model }}
        where
            {{ column_name }} is not null
            and not (
                1 = 1
                {%- if min_value is not none %}
                and {{ column_name }} {{ lower_op }} {{ min_value }}
                {%- endif %}
                {%- if max_value is not none %}
                and {{ column_name }} {{ upper_op }} {{ max_value }}
                {%- endif %}
            )

    )

    select * from failing_rows
{% endtest %}
