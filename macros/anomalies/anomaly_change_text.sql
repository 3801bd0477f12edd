{#- A KPI's move in words: '-48 % vs expected' (rounded percent change of `value` against
    `expected`, signed), or 'off expected (z = 5.2)' when the expectation is 0 or null (no
    percent to give). Used by kpi_verdicts_daily's reasons. -#}
{% macro anomaly_change_text(value, expected, z) -%}
    {%- set string_type = api.Column.translate_type('string') -%}
    case
        when {{ expected }} is null or {{ expected }} = 0
            then {{ dbt.concat([
                "'off expected (z = '",
                dbt.cast('round(' ~ z ~ ', 1)', string_type),
                "')'",
            ]) }}
        else {{ dbt.concat([
            "case when " ~ value ~ " >= " ~ expected ~ " then '+' else '' end",
            dbt.cast(
                'cast(round(100.0 * (' ~ value ~ ' - ' ~ expected ~ ') / abs(' ~ expected
                ~ '), 0) as ' ~ dbt.type_int() ~ ')',
                string_type,
            ),
            "' % vs expected'",
        ]) }}
    end
{%- endmacro %}
