{#- The level of a 0-100 trust score: 'low' below var('trust_low_threshold') whatever the data
    volume; else 'insufficient_data' when `is_undecidable` (too few rows or events for the
    tests to decide: a high score would claim more than is known); else 'high' from
    var('trust_high_threshold') and 'medium' between. -#}
{% macro trust_level(score, is_undecidable) -%}
    case
        when {{ score }} < {{ var('trust_low_threshold') }} then 'low'
        when {{ is_undecidable }} then 'insufficient_data'
        when {{ score }} >= {{ var('trust_high_threshold') }} then 'high'
        else 'medium'
    end
{%- endmacro %}
