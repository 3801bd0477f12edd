{#- Shared pieces of the int_*_profiled_daily models.

    implausible_rows_on_recorded_day: rows with an impossible time count on the day they were
    ingested (which lost them) and also on the day they claim, when that day is in the log
    (where a naive query puts them). `relation` has recorded_date, signal_date, each of
    `dimensions` and the 0/1 column implausible_timestamp_row; output: signal_date,
    slice_dimension, slice_value, recorded_implausible_rows for every slice (one GROUPING SETS
    pass, macros/marts/dimension_grouping_sets.sql). Rows without a signal_date do not count.
    `since` (profile_days_start): only the days from then on. -#}
{% macro implausible_rows_on_recorded_day(relation, dimensions, since=none) -%}
    select
        recorded_date as signal_date,
        {{ grouping_dimension_name(dimensions) }} as slice_dimension,
        {{ grouping_dimension_value(dimensions) }} as slice_value,
        count(*) as recorded_implausible_rows
    from {{ relation }}
    where
        implausible_timestamp_row = 1
        and recorded_date <> signal_date
        {%- if since %}
        and recorded_date >= date '{{ since }}'
        {%- endif %}
    group by {{ dimension_grouping_sets('recorded_date', dimensions) }}
    having {{ grouping_dimension_not_null(dimensions, 'slice_value') }}
{%- endmacro %}

{#- missing_column_ranks: per signal day and slice, each quarantine_column of the rows missing a
    required field (0/1 column missing_required_row) ranked by how many rows it emptied
    (column_rank 1 = the most, ties by name), for the signal's detail text. `relation` has
    signal_date, quarantine_column, missing_required_row and each of `dimensions`; every slice
    in one GROUPING SETS pass. -#}
{% macro missing_column_ranks(relation, dimensions) -%}
    select
        signal_date,
        slice_dimension,
        slice_value,
        quarantine_column,
        row_number() over (
            partition by signal_date, slice_dimension, slice_value
            order by missing_rows desc, quarantine_column
        ) as column_rank
    from (
        select
            signal_date,
            {{ grouping_dimension_name(dimensions) }} as slice_dimension,
            {{ grouping_dimension_value(dimensions) }} as slice_value,
            quarantine_column,
            count(*) as missing_rows
        from {{ relation }}
        where missing_required_row = 1
        group by {{ dimension_grouping_sets('signal_date', dimensions, ['quarantine_column']) }}
        having {{ grouping_dimension_not_null(dimensions, 'slice_value') }}
    ) as missing_counts
{%- endmacro %}

{#- same_slice_day: the join condition of two relations on (signal_date, slice_dimension,
    slice_value). -#}
{% macro same_slice_day(left, right) -%}
    {{ left }}.signal_date = {{ right }}.signal_date
    and {{ left }}.slice_dimension = {{ right }}.slice_dimension
    and {{ left }}.slice_value = {{ right }}.slice_value
{%- endmacro %}
