{#- Every (day, slice) pair of `cte` that appears on any day, on every day that appears in
    `cte`: the densified grid that lets a slice gone silent show as zero rows instead of no row.
    `cte` has columns `date_column`, slice_dimension and slice_value. `profiled`: the model's
    stored table, whose slices join the grid on an incremental run (profile_days_start), when
    `cte` holds only the days profiled again; none otherwise. -#}
{% macro slice_day_grid(cte, date_column, profiled=none) -%}
    select
        dates.{{ date_column }},
        slices.slice_dimension,
        slices.slice_value
    from (select distinct {{ date_column }} from {{ cte }}) as dates
    cross join (
        select
            slice_dimension,
            slice_value
        from {{ cte }}
        {%- if profiled is not none %}
        union
        select
            slice_dimension,
            slice_value
        from {{ profiled }}
        {%- else %}
        group by slice_dimension, slice_value
        {%- endif %}
    ) as slices
{%- endmacro %}
