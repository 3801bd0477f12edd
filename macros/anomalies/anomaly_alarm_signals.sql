{#- The alarms anomaly_metrics scores, by name: each consensus level's alarm column of
    kpi_anomalies_daily ('consensus' = is_anomaly, the level built) and each detector's flag. -#}
{% macro anomaly_alarm_signals() -%}
    {{ return({
        'consensus': 'is_anomaly', 'consensus_1': 'alarm_consensus_1',
        'consensus_2': 'alarm_consensus_2', 'consensus_3': 'alarm_consensus_3',
        'seasonal': 'flag_seasonal', 'changepoint': 'flag_changepoint',
        'iforest': 'flag_iforest', 'lof': 'flag_lof',
    }) }}
{%- endmacro %}
