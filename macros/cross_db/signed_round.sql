{#- round(`expression`, `digits`) for a number written into text, the same on every engine:
    DuckDB rounds a double in floating point and keeps the sign of a negative value that rounds
    to zero ('-0.0'); Spark rounds through a decimal, which has no negative zero ('0.0'). On
    Spark the negative zero is put back, so a z of -0.004 reads 'z -0.0' on both. -#}
{% macro signed_round(expression, digits) -%}
    {{ return(adapter.dispatch('signed_round', 'kpi_trust')(expression, digits)) }}
{%- endmacro %}

{% macro default__signed_round(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro spark__signed_round(expression, digits) -%}
    case
        when ({{ expression }}) < 0 and round({{ expression }}, {{ digits }}) = 0
            then cast('-0.0' as double)
        else round({{ expression }}, {{ digits }})
    end
{%- endmacro %}
