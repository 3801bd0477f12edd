{#- Fails with one row per combination of `combination_of_columns` that occurs more than once
    (the model's primary key when no single column is unique). Nulls count as values. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

    with duplicated_keys as (

        select
            {{ combination_of_columns | join(', ') }},
            count(*) as row_count
        from {{ model }}
        group by {{ combination_of_columns | join(', ') }}
        having count(*) > 1

    )

    select * from duplicated_keys

{% endtest %}
