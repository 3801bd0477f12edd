{#- One-sided z-score of a count `observed` against its expectation `expected`, for losses
    (negative = fewer than expected): the less extreme of two tests, so neither small counts nor
    real-world extra variance produce false alarms.
    * Poisson lower tail P(X <= observed | expected) through the Wilson-Hilferty cube-root
      approximation of the chi-square it equals (accurate to ~0.1 in z down to zero counts);
    * a normal test with the extra-Poisson variance of the series' own history:
      var = expected + (dispersion * expected)^2, `dispersion` the robust relative spread of the
      same ratio on the baseline days (a negative-binomial-like variance).
    Returns null when expected <= 0. A z of -3.09 is a one-sided false-alarm probability of 1e-3,
    -4.75 of 1e-6 (the thresholds in seeds/quality_thresholds.csv are z values). -#}
{% macro count_test_z(observed, expected, dispersion) -%}
    case
        when ({{ expected }}) > 0 then greatest(
            -3 * sqrt(({{ observed }}) + 1) * (
                power(({{ expected }}) / (({{ observed }}) + 1), 1.0 / 3)
                - 1 + 1 / (9 * (({{ observed }}) + 1))
            ),
            (({{ observed }}) - ({{ expected }})) / sqrt(
                ({{ expected }}) + power(coalesce({{ dispersion }}, 0) * ({{ expected }}), 2)
            )
        )
    end
{%- endmacro %}
