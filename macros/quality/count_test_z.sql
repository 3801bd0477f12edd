{#- One-sided z-scores for a loss (negative = fewer than expected), on the scale of a standard
    normal: z = -3.09 is a one-sided false-alarm probability of 1e-3, -4.75 of 1e-6 (the
    thresholds in seeds/quality_thresholds.csv are z values). Both divide by
    sqrt(1 + dispersion^2 x expected): the quasi-likelihood correction for a series noisier than
    its count model (negative-binomial-like variance expected + (dispersion x expected)^2, with
    `dispersion` estimated from the series' own history, macro trailing_dispersion); with
    dispersion 0 they are the plain tests. Null when the expectation is not positive.

    count_test_z: Poisson lower tail P(X <= observed | expected) through the Wilson-Hilferty
    cube-root approximation of the chi-square it equals (within ~0.1 of the exact z down to zero
    counts; slightly conservative in the far tail). The cube-root exponents are doubles: Spark
    types `1.0 / 3` as a decimal of 6 digits (z off by ~1e-6 against DuckDB). -#}
{% macro count_test_z(observed, expected, dispersion) -%}
    case
        when ({{ expected }}) > 0 then
            -3 * sqrt(({{ observed }}) + 1) * (
                power(
                    ({{ expected }}) / (({{ observed }}) + 1), cast(1 as {{ type_double() }}) / 3
                )
                - 1 + 1 / (9 * (({{ observed }}) + 1))
            )
            / sqrt(1 + power(coalesce({{ dispersion }}, 0), 2) * ({{ expected }}))
    end
{%- endmacro %}

{#- binomial_test_z: binomial lower tail P(X <= observed | trials, probability) through the
    Camp-Paulson approximation (within ~0.1 of the exact z for any count): the test for a
    slice's share of a day's total (its rows or events given the whole dataset's), which a
    change that moves every slice alike cannot trigger. -#}
{% macro binomial_test_z(observed, trials, probability, dispersion) -%}
    case
        when ({{ trials }}) > 0 and ({{ probability }}) > 0 and ({{ probability }}) < 1 then
            case
                when ({{ observed }}) >= ({{ trials }}) then 0
                else (
                    (1 - 1 / (9 * (({{ observed }}) + 1)))
                    * power(
                        (({{ observed }}) + 1) * (1 - ({{ probability }}))
                        / (({{ probability }}) * (({{ trials }}) - ({{ observed }}))),
                        cast(1 as {{ type_double() }}) / 3
                    )
                    - (1 - 1 / (9 * (({{ trials }}) - ({{ observed }}))))
                ) / sqrt(
                    1 / (9 * (({{ trials }}) - ({{ observed }})))
                    + power(
                        (({{ observed }}) + 1) * (1 - ({{ probability }}))
                        / (({{ probability }}) * (({{ trials }}) - ({{ observed }}))),
                        cast(2 as {{ type_double() }}) / 3
                    ) / (9 * (({{ observed }}) + 1))
                )
            end
            / sqrt(
                1 + power(coalesce({{ dispersion }}, 0), 2)
                * ({{ trials }}) * ({{ probability }})
            )
    end
{%- endmacro %}
