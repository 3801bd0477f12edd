{#- The verdict on one anomalous KPI-day-slice, from the anomaly states of its two values and
    their trust levels (kpi_trust_daily's, i.e. macro trust_level with vars trust_low_threshold
    and trust_high_threshold: no cut-off of its own):
    * the adjusted `value` moved (status anomaly or ongoing): its trust_level decides:
      low -> 'data_incident', high -> 'real_movement', medium / insufficient_data -> 'uncertain';
    * only `value_reported` moved, the adjusted value was scored normal and differs from it:
      'repaired_incident' (the warehouse's adjustments removed the move);
    * only `value_reported` moved otherwise (the adjusted value not scored, or equal): its
      reported_trust_level decides, as above. -#}
{% macro anomaly_verdict(
    adjusted_status, trust_level, reported_trust_level, value, value_reported
) -%}
    case
        when {{ adjusted_status }} in ('anomaly', 'ongoing')
            then case {{ trust_level }}
                when 'low' then 'data_incident'
                when 'high' then 'real_movement'
                else 'uncertain'
            end
        when {{ adjusted_status }} = 'normal'
            and {{ value }} <> {{ value_reported }}
            then 'repaired_incident'
        else case {{ reported_trust_level }}
            when 'low' then 'data_incident'
            when 'high' then 'real_movement'
            else 'uncertain'
        end
    end
{%- endmacro %}
