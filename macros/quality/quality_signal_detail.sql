{#- The plain-words detail of a quality signal row, from the columns of quality_signals_daily's
    `scored` CTE: what was measured, the numbers behind it and the thresholds. -#}
{% macro quality_signal_detail() -%}
    {%- set string_type = api.Column.translate_type('string') -%}
    {%- set labels = {
        'required_field_null_rate': 'rows with a required field missing',
        'invalid_value_rate': 'rows with an invalid value',
        'unknown_event_name_rate': 'events with an unknown name',
        'unknown_category_rate': 'rows with a category outside its vocabulary (kept as other)',
        'event_name_alias_rate': 'rows of the event logged under an alias name',
        'noncanonical_status_rate': 'calls with a non-canonical status spelling',
        'latency_unit_drift_rate': 'calls from a version reporting latency in seconds',
        'duplicate_id_rate': 'rows repeating an id of the same day',
        'conflicting_duplicate_rate': 'valid rows whose id repeats with different content',
        'negative_revenue_rate': 'purchases with negative revenue',
        'implausible_timestamp_rate': 'rows quarantined for an impossible event time',
        'late_arrival_rate': 'rows ingested more than ' ~ var('quality_late_hours') ~ ' h late',
        'bot_user_share': 'users flagged as bots',
        'ingestion_lag_p95_hours': 'p95 ingestion lag (hours)',
        'row_count_robust_z': 'row count',
    } -%}
    {%- set text = {} -%}
    {%- for name, expression in {
        'measure_pct': 'round(100 * measure, 1)',
        'measure_text': signed_round('measure', 2),
        'warn_pct': 'round(100 * threshold_warn, 2)',
        'fail_pct': 'round(100 * threshold_fail, 2)',
        'warn_text': 'threshold_warn',
        'fail_text': 'threshold_fail',
        'numerator_text': 'cast(round(numerator, 0) as bigint)',
        'denominator_text': 'cast(round(denominator, 0) as bigint)',
        'expected_text': 'round(expected_count, 1)',
        'baseline_text': 'cast(round(baseline, 0) as bigint)',
        'rows_text': 'sample_rows',
    }.items() -%}
        {%- do text.update({name: dbt.cast(expression, string_type)}) -%}
    {%- endfor -%}
    case
        when measure is null and baseline_method = 'none'
            then 'not scored: ' || {{ text.rows_text }}
                || ' rows, fewer than {{ var("quality_min_rows") }}'
        when measure is null and baseline_method = 'count_test'
            then 'not scored: ' || coalesce({{ text.expected_text }}, '0')
                || ' expected, or fewer than {{ var("quality_min_baseline_days") }} baseline days'
        when measure is null
            then 'not scored: ' || {{ dbt.cast('baseline_days', string_type) }}
                || ' same-weekday baseline days, fewer than {{ var("quality_min_volume_weeks") }}'
        when baseline_method = 'count_test'
            then detail_context || ': ' || {{ text.numerator_text }} || ' observed vs '
                || {{ text.expected_text }} || ' expected (z ' || {{ text.measure_text }}
                || '); warn below z ' || {{ text.warn_text }} || ', fail at ' || {{ text.fail_text }}
        when baseline_method = 'same_weekday_robust_z'
            then 'row count ' || {{ text.numerator_text }} || ' vs same-weekday median '
                || {{ text.baseline_text }} || ' (robust z ' || {{ text.measure_text }}
                || '); warn beyond ' || {{ text.warn_text }} || ', fail at ' || {{ text.fail_text }}
        else
            case signal_name
                {%- for signal_name, label in labels.items() %}
                    when '{{ signal_name }}' then '{{ label | replace("'", "''") }}'
                {%- endfor %}
                else signal_name
            end
            || case
                when denominator is null
                    then ' ' || {{ text.measure_text }} || '; warn above ' || {{ text.warn_text }}
                        || ', fail at ' || {{ text.fail_text }}
                else ': ' || {{ text.measure_pct }} || '% (' || {{ text.numerator_text }} || ' of '
                    || {{ text.denominator_text }} || ')'
                    || case
                        when detail_context is not null and numerator > 0
                            then ', mostly ' || detail_context
                        else ''
                    end
                    || '; warn above ' || {{ text.warn_pct }} || '%, fail at '
                    || {{ text.fail_pct }} || '%'
            end
    end
{%- endmacro %}
