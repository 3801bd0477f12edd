{#- One GROUP BY pass for a day column at day x each dimension plus the whole day ('all'), in
    place of one UNION ALL branch per dimension: the rows are scanned once and DuckDB keeps one
    aggregation, which spills when memory is short. Rows with a null dimension value count in
    'all' and in the other dimensions' groups only (as the UNION ALL's `where dim is not null`).
    Use the four macros together in one SELECT:
      select <day>, {{ grouping_dimension_name(dims) }} as dimension_name,
             {{ grouping_dimension_value(dims) }} as dimension_value, <aggregates>
      from ... group by {{ dimension_grouping_sets(day, dims) }}
      having {{ grouping_dimension_not_null(dims) }}
    `keys`: further columns grouped in every set (e.g. a detail column within each slice-day).
    grouping(column) is 0 when the column is in the row's grouping set (DuckDB, Spark, Postgres).
    The quality profiles use the same macros with slice_dimension / slice_value as the names.
    sqlfluff's duckdb dialect cannot parse GROUPING SETS (DuckDB, Spark and Postgres run it), so
    the lines calling these macros carry `-- noqa: PRS` (or a disable/enable=PRS range). -#}
{% macro dimension_grouping_sets(day_column, dimensions, keys=[]) -%}
    {%- set extra = (', ' ~ keys | join(', ')) if keys else '' -%}
    grouping sets (
        ({{ day_column }}{{ extra }})
        {%- for dimension in dimensions %},
        ({{ day_column }}, {{ dimension }}{{ extra }})
        {%- endfor %}
    )
{%- endmacro %}

{% macro grouping_dimension_name(dimensions) -%}
    case
        {%- for dimension in dimensions %}
        when grouping({{ dimension }}) = 0 then '{{ dimension }}'
        {%- endfor %}
        else 'all'
    end
{%- endmacro %}

{% macro grouping_dimension_value(dimensions) -%}
    case
        {%- for dimension in dimensions %}
        when grouping({{ dimension }}) = 0 then {{ dimension }}
        {%- endfor %}
        else 'all'
    end
{%- endmacro %}

{#- `value_column`: the alias the SELECT gives grouping_dimension_value (dimension_value, or
    slice_value in the quality profiles); only Spark reads it (below). -#}
{% macro grouping_dimension_not_null(dimensions, value_column = 'dimension_value') -%}
    {{ return(adapter.dispatch('grouping_dimension_not_null', 'kpi_trust')(dimensions, value_column)) }}
{%- endmacro %}

{% macro default__grouping_dimension_not_null(dimensions, value_column = 'dimension_value') -%}
    {%- for dimension in dimensions %}
    {{ 'and ' if not loop.first }}not (grouping({{ dimension }}) = 0 and {{ dimension }} is null)
    {%- endfor %}
{%- endmacro %}

{#- Spark resolves neither a grouping column nor grouping(column) in HAVING with GROUPING SETS
    unless the SELECT list has the column bare (UNRESOLVED_COLUMN). The same test through the
    SELECT's value alias: a set grouping one dimension gives that dimension's value there
    ('all' for the day alone), so it is null exactly when the grouped dimension is. -#}
{% macro spark__grouping_dimension_not_null(dimensions, value_column = 'dimension_value') -%}
    {{ value_column }} is not null
{%- endmacro %}
