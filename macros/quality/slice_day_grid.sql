{#- Every (day, slice) pair of `cte` that appears on any day, on every day that appears in
    `cte`: the densified grid that lets a slice gone silent show as zero rows instead of no row.
    `cte` has columns `date_column`, slice_dimension and slice_value. -#}
{% macro slice_day_grid(cte, date_column) -%}
    select
        dates.{{ date_column }},
        slices.slice_dimension,
        slices.slice_value
    from (select distinct {{ date_column }} from {{ cte }}) as dates
    cross join (
        select distinct
            slice_dimension,
            slice_value
        from {{ cte }}
    ) as slices
{%- endmacro %}
