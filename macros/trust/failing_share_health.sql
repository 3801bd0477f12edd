{#- Health (1 = healthy, 0 = broken) of a rule every correct row satisfies, from its failing
    share of the rows checked: 1 - share / var('trust_failing_share_unhealthy'), 0 once the share
    reaches that var. Used by dbt tests and column-map Great Expectations alike, so both tools
    score a failing share the same way. -#}
{% macro failing_share_health(failing_rows, checked_rows) -%}
    {%- set unhealthy_share = var('trust_failing_share_unhealthy') -%}
    case
        when 1.0 * {{ failing_rows }} / {{ checked_rows }} >= {{ unhealthy_share }} then 0
        else 1 - (1.0 * {{ failing_rows }} / {{ checked_rows }}) / {{ unhealthy_share }}
    end
{%- endmacro %}
