{#- Shared pieces of the int_*_profiled_daily models.

    implausible_rows_on_recorded_day: rows with an impossible time count on the day they were
    ingested (which lost them) and also on the day they claim, when that day is in the log
    (where a naive query puts them). `relation` has recorded_date, signal_date, each of
    `dimensions` and the 0/1 column implausible_timestamp_row; output: signal_date,
    slice_dimension, slice_value, recorded_implausible_rows for every slice (one GROUPING SETS
    pass, macros/marts/dimension_grouping_sets.sql). -#}
{% macro implausible_rows_on_recorded_day(relation, dimensions) -%}
    select
        recorded_date as signal_date,
        {{ grouping_dimension_name(dimensions) }} as slice_dimension,
        {{ grouping_dimension_value(dimensions) }} as slice_value,
        count(*) as recorded_implausible_rows
    from {{ relation }}
    where implausible_timestamp_row = 1 and recorded_date <> signal_date
    group by {{ dimension_grouping_sets('recorded_date', dimensions) }}
    having {{ grouping_dimension_not_null(dimensions) }}
{%- endmacro %}

{#- same_slice_day: the join condition of two relations on (signal_date, slice_dimension,
    slice_value). -#}
{% macro same_slice_day(left, right) -%}
    {{ left }}.signal_date = {{ right }}.signal_date
    and {{ left }}.slice_dimension = {{ right }}.slice_dimension
    and {{ left }}.slice_value = {{ right }}.slice_value
{%- endmacro %}
