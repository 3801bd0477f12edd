{#- Every day from `first_day` to `last_day` (date expressions over the one-row relation
    `bounds`), as a column `spine_day`: up to 10,000 days (27 years), from a cross join of digit
    rows and dbt.dateadd, so it runs on any engine. -#}
{% macro day_spine(bounds, first_day, last_day) -%}
    {%- set digits -%}
        (
            {%- for digit in range(10) %}
                {%- if not loop.first %} union all {% endif -%}
                select {{ digit }} as d
            {%- endfor %}
        )
    {%- endset -%}
    select cast({{ dbt.dateadd('day', 'offsets.n', first_day) }} as date) as spine_day
    from {{ bounds }}
    cross join (
        select ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as n
        from {{ digits }} as ones
        cross join {{ digits }} as tens
        cross join {{ digits }} as hundreds
        cross join {{ digits }} as thousands
    ) as offsets
    where {{ dbt.dateadd('day', 'offsets.n', first_day) }} <= {{ last_day }}
{%- endmacro %}
