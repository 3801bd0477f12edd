{#- Every row of `cte` once per evidence slice: once as the whole dataset
    (slice_dimension = slice_value = 'all') and once per dimension in `dimensions`
    (slice_value = the row's value of that dimension). The rows keep all their columns. Used by
    every profile so a slice is defined the same way everywhere. -#}
{% macro sliced_rows(cte, dimensions) -%}
    select
        {{ cte }}.*,
        slice_dimensions.slice_dimension,
        case slice_dimensions.slice_dimension
            when 'all' then 'all'
            {%- for dimension in dimensions %}
                when '{{ dimension }}' then {{ cte }}.{{ dimension }}
            {%- endfor %}
        end as slice_value
    from {{ cte }}
    cross join (
        select 'all' as slice_dimension
        {%- for dimension in dimensions %}
            union all
            select '{{ dimension }}' as slice_dimension
        {%- endfor %}
    ) as slice_dimensions
{%- endmacro %}

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
