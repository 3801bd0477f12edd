{#- round(`expression`, `digits`) for a number written into text, the same on every engine and
    every build: DuckDB rounds a double in floating point and keeps the sign of a negative value
    that rounds to zero ('-0.0'); Spark rounds through a decimal, which has no negative zero
    ('0.0'). On Spark the negative zero is put back, so a z of -0.004 reads 'z -0.0' on both.
    The value is first rounded to 9 decimals: a sum on a rounding boundary (11.775) comes out of
    a parallel engine as 11.775000000000002 or 11.774999999999999 depending on the order it was
    added in, and would print 11.78 on one build and 11.77 on another. -#}
{% macro signed_round(expression, digits) -%}
    {{ return(adapter.dispatch('signed_round', 'kpi_trust')(expression, digits)) }}
{%- endmacro %}

{% macro default__signed_round(expression, digits) -%}
    round(round({{ expression }}, 9), {{ digits }})
{%- endmacro %}

{% macro spark__signed_round(expression, digits) -%}
    case
        when ({{ expression }}) < 0 and round(round({{ expression }}, 9), {{ digits }}) = 0
            then cast('-0.0' as double)
        else round(round({{ expression }}, 9), {{ digits }})
    end
{%- endmacro %}
