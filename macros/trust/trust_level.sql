{#- The level of a 0-100 trust score: 'low' below var('trust_low_threshold') whatever the data
    volume; else 'insufficient_data' when the slice-day had fewer than var('quality_min_rows')
    rows (the tests could not decide, so a high score would claim more than is known); else
    'high' from var('trust_high_threshold') and 'medium' between. -#}
{% macro trust_level(score, slice_rows) -%}
    case
        when {{ score }} < {{ var('trust_low_threshold') }} then 'low'
        when {{ slice_rows }} < {{ var('quality_min_rows') }} then 'insufficient_data'
        when {{ score }} >= {{ var('trust_high_threshold') }} then 'high'
        else 'medium'
    end
{%- endmacro %}
