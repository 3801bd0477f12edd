{#- The (day, id) pairs of `relation` whose id appears on two or more rows of that day: the only
    rows that can be repeated copies. A slice-day's repeated-copy count, count(id) -
    count(distinct id), is the same over these rows alone (an id seen once that day adds one to
    both terms), so the profiles count distinct ids over them instead of over every row of
    every grouping set (at 10 M rows per log that distinct was 18 of int_api_calls_profiled_daily's
    22 CPU s). The profiles left-join it to their rows as `repeated_<id>`. -#}
{% macro repeated_ids(relation, id_column, day_column) -%}
    select
        {{ day_column }},
        {{ id_column }}
    from {{ relation }}
    where {{ id_column }} is not null
    group by {{ day_column }}, {{ id_column }}
    having count(*) > 1
{%- endmacro %}

{#- Every row of `relation` with its id as `repeated_<id_column>` when `repeated` (the CTE of
    repeated_ids over the same rows) holds its (day, id), null otherwise. -#}
{% macro with_repeated_ids(relation, repeated, id_column, day_column) -%}
    select
        {{ relation }}.*,
        {{ repeated }}.{{ id_column }} as repeated_{{ id_column }}
    from {{ relation }}
    left join {{ repeated }}
        on
            {{ relation }}.{{ day_column }} = {{ repeated }}.{{ day_column }}
            and {{ relation }}.{{ id_column }} = {{ repeated }}.{{ id_column }}
{%- endmacro %}
