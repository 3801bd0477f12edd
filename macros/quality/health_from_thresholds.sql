{#- 0-1 health of a measure from its two thresholds: 1 at or better than `warn`, 0 at or worse
    than `fail`, linear in between; null when the measure is null. `direction` (a column or a
    quoted literal) is higher_is_worse, lower_is_worse or abs_higher_is_worse. -#}
{% macro health_from_thresholds(measure, direction, warn, fail) -%}
    case
        when {{ measure }} is null then null
        when {{ direction }} = 'higher_is_worse' then
            case
                when {{ measure }} <= {{ warn }} then 1.0
                when {{ measure }} >= {{ fail }} then 0.0
                else ({{ fail }} - {{ measure }}) / ({{ fail }} - {{ warn }})
            end
        when {{ direction }} = 'lower_is_worse' then
            case
                when {{ measure }} >= {{ warn }} then 1.0
                when {{ measure }} <= {{ fail }} then 0.0
                else ({{ measure }} - {{ fail }}) / ({{ warn }} - {{ fail }})
            end
        when {{ direction }} = 'abs_higher_is_worse' then
            case
                when abs({{ measure }}) <= {{ warn }} then 1.0
                when abs({{ measure }}) >= {{ fail }} then 0.0
                else ({{ fail }} - abs({{ measure }})) / ({{ fail }} - {{ warn }})
            end
    end
{%- endmacro %}
