{#- The verdict on one anomalous KPI-day-slice, from whether its adjusted value moved, its
    adjusted status and the trust levels of its two values (kpi_trust_daily's, i.e. macro
    trust_level with vars trust_low_threshold and trust_high_threshold: no cut-off of its own):
    * the adjusted `value` moved, but the warehouse's repairs took away at least half of the
      reported value's move (`repaired_share` >= 0.5: the reported value's deviation from its
      expectation, same sign, removed by dedup / normalisation / bot and quarantine rules, as
      charged in reported_trust_score < trust_score): 'data_incident', the rest of the move
      being most likely the same defect not fully caught (a move that is mostly defects is a
      data incident, whatever the trust of what remains);
    * the adjusted `value` moved (`is_adjusted_moved`: status anomaly or ongoing, or outside its
      band): its trust_level decides: low -> 'data_incident', high -> 'real_movement',
      medium -> 'uncertain'; insufficient_data -> 'uncertain', except for a drop: when an
      event-loss test warned on the row (`is_loss_suspected`) -> 'data_incident' (the events
      look lost: a market change moves every slice alike); else when the value dropped by more
      than `max_unseen_loss` (kpi_trust_daily: the largest share of its events a loss could take
      without the evidence seeing it) -> 'real_movement' (a loss that large would have made the
      row low, so the drop cannot be an unseen loss alone). A rise stays 'uncertain': too few
      events make it mostly chance;
    * only `value_reported` moved, the adjusted value was scored normal (and inside its band),
      differs from it, and the trust score counts a defect the warehouse repaired on this row
      (reported_trust_score < trust_score: kpi_trust_daily charges repaired penalties to the
      reported value only): 'repaired_incident' (the warehouse's adjustments removed the move);
    * only `value_reported` moved otherwise (the adjusted value not scored, the same number, or
      no repaired defect: the two series merely differ in noise): its reported_trust_level
      decides, as above (the drop of `value_reported` against `expected_reported`). -#}
{#- The share of the reported value's move (value_reported - expected_reported) that the
    warehouse's repairs removed (value_reported - value): null unless both have the same sign. -#}
{% macro anomaly_repaired_share(value, value_reported, expected_reported) -%}
    case
        when ({{ value_reported }} - {{ value }}) * ({{ value_reported }} - {{ expected_reported }}) > 0
            then ({{ value_reported }} - {{ value }}) / ({{ value_reported }} - {{ expected_reported }})
    end
{%- endmacro %}

{#- True when `value` is below `expected` by more than the share `max_unseen_loss` of it: a
    drop no loss the trust evidence could have missed explains alone. -#}
{% macro anomaly_drop_beyond_unseen_loss(value, expected, max_unseen_loss) -%}
    coalesce(
        {{ expected }} > 0
        and {{ value }} < {{ expected }} * (1 - {{ max_unseen_loss }}),
        false
    )
{%- endmacro %}

{#- The verdict a trust level gives a value that moved (see above). -#}
{% macro anomaly_trust_verdict(trust_level, value, expected, max_unseen_loss, is_loss_suspected) -%}
    case
        when {{ trust_level }} = 'low' then 'data_incident'
        when {{ trust_level }} = 'high' then 'real_movement'
        when {{ trust_level }} = 'insufficient_data'
            and coalesce({{ is_loss_suspected }}, false)
            and {{ value }} < {{ expected }}
            then 'data_incident'
        when {{ trust_level }} = 'insufficient_data'
            and {{ anomaly_drop_beyond_unseen_loss(value, expected, max_unseen_loss) }}
            then 'real_movement'
        else 'uncertain'
    end
{%- endmacro %}

{% macro anomaly_verdict(
    is_adjusted_moved, adjusted_status, trust_level, reported_trust_level, value, value_reported,
    trust_score, reported_trust_score, repaired_share, expected, expected_reported,
    max_unseen_loss, is_loss_suspected
) -%}
    case
        when {{ is_adjusted_moved }}
            and {{ repaired_share }} >= 0.5
            and {{ reported_trust_score }} < {{ trust_score }}
            then 'data_incident'
        when {{ is_adjusted_moved }}
            then {{ anomaly_trust_verdict(
                trust_level, value, expected, max_unseen_loss, is_loss_suspected
            ) }}
        when {{ adjusted_status }} = 'normal'
            and {{ value }} <> {{ value_reported }}
            and {{ reported_trust_score }} < {{ trust_score }}
            then 'repaired_incident'
        else {{ anomaly_trust_verdict(
            reported_trust_level, value_reported, expected_reported, max_unseen_loss,
            is_loss_suspected
        ) }}
    end
{%- endmacro %}
