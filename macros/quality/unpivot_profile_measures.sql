{#- The long form of a profile: one row per (signal_date, slice, signal) from the wide CTE
    `profiled`, for each `(signal_name, scope, numerator, denominator)` in `measures`
    (denominator none = the numerator is the measure itself). The detail context of
    required_field_null_rate (the column most often missing) comes from the CTE
    `missing_columns` (signal_date, slice_dimension, slice_value, quarantine_column,
    column_rank). Output columns: the profile contract of int_*_profiled_daily, then
    `log_start` (staged_log_start) as log_first_ingested_at. -#}
{% macro unpivot_profile_measures(dataset, measures, log_start) -%}
    {%- for signal_name, scope, numerator, denominator in measures %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ dataset }}' as dataset,
            profiled.slice_dimension,
            profiled.slice_value,
            '{{ signal_name }}' as signal_name,
            '{{ scope }}' as scope,
            {%- if signal_name == 'required_field_null_rate' %}
                missing_columns.quarantine_column as detail_context,
            {%- else %}
                cast(null as {{ dbt.type_string() }}) as detail_context,
            {%- endif %}
            profiled.row_count as sample_rows,
            cast({{ numerator }} as {{ type_double() }}) as numerator,
            {%- if denominator is none %}
                cast(null as {{ type_double() }}) as denominator,
            {%- else %}
                cast({{ denominator }} as {{ type_double() }}) as denominator,
            {%- endif %}
            profiled.signal_date,
            {{ log_start }} as log_first_ingested_at
        from profiled
        {%- if signal_name == 'required_field_null_rate' %}
            left join missing_columns
                on
                    profiled.signal_date = missing_columns.signal_date
                    and profiled.slice_dimension = missing_columns.slice_dimension
                    and profiled.slice_value = missing_columns.slice_value
                    and missing_columns.column_rank = 1
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
