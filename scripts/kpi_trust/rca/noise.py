"""How far a leaf's actual may stray from its expected value by chance.

Leaf residuals ``actual - expected`` mix two kinds of noise: a *relative* error of the
forecast (the same share of every leaf: seasonality the baseline missed) and a *counting*
error that shrinks relative to the leaf as it grows (Poisson-like: variance proportional to
the count). The model is the sum of both,

    var(actual_i - expected_i) = a² · expected_i² + b · expected_i  (+ b², see leaf_scale),

fitted by iteratively reweighted least squares on the squared residuals (weights 1 / var²,
the variance of a squared Gaussian residual), trimming leaves whose standardised residual is
beyond ``TRIM_Z`` on each pass: the anomalous leaves are what we look for, so they must not
inflate the scale. At least half the leaves are assumed normal (the trim keeps the inner
ones), which the root causes of a real incident satisfy; when they do not, the search still
sees the anomaly (it aggregates many leaves) and a second pass refits the scale on the
residuals left after the causes are explained.
"""

from __future__ import annotations

import numpy as np

TRIM_Z = 3.0  # a normal leaf beyond 3 sigma has probability 0.27 % (Gaussian)
ITERATIONS = 6


def _solve(f: np.ndarray, r2: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted least squares of r2 on [f², f] with both coefficients kept non-negative."""
    x1, x2 = f * f, f
    a11 = float(np.sum(weights * x1 * x1))
    a12 = float(np.sum(weights * x1 * x2))
    a22 = float(np.sum(weights * x2 * x2))
    b1 = float(np.sum(weights * x1 * r2))
    b2 = float(np.sum(weights * x2 * r2))
    det = a11 * a22 - a12 * a12
    if det > 0:
        c1 = (b1 * a22 - b2 * a12) / det
        c2 = (a11 * b2 - a12 * b1) / det
        if c1 >= 0 and c2 >= 0:
            return c1, c2
    only_relative = max(b1 / a11, 0.0) if a11 > 0 else 0.0
    only_count = max(b2 / a22, 0.0) if a22 > 0 else 0.0
    loss_relative = float(np.sum(weights * (r2 - only_relative * x1) ** 2))
    loss_count = float(np.sum(weights * (r2 - only_count * x2) ** 2))
    return (only_relative, 0.0) if loss_relative <= loss_count else (0.0, only_count)


def leaf_scale(
    expected: np.ndarray, residual: np.ndarray, event_size: float | None = None
) -> np.ndarray:
    """Standard deviation of each leaf's residual under the fitted two-part noise model.

    ``event_size``: when the measure counts events (1 for a count, the mean purchase for
    revenue), the counting part is at least Poisson's, b >= event size. Without it, + b²: one
    event's variance where little is expected. The trimmed fit cannot
    see it on sparse leaves: a leaf expecting 0.04 events that has 1 is the Poisson tail the
    trim removes, so b would be fitted far below 1 and that one event read as a 30-sigma jump.
    """
    f = np.abs(expected)
    r2 = residual * residual
    positive = f > 0
    scale_floor = 1e-9
    if positive.sum() < 3:
        spread = float(np.median(np.abs(residual))) * 1.4826 if residual.size else 0.0
        return np.full_like(f, max(spread, scale_floor), dtype=float)
    fp, rp = f[positive], r2[positive]
    # start: relative noise from the median relative residual (robust to the anomalies)
    rel = np.abs(residual[positive]) / fp
    a2 = (1.4826 * float(np.median(rel))) ** 2
    b = 0.0
    if a2 == 0.0:
        a2 = (1.4826 * float(np.mean(rel))) ** 2 + 1e-12
    keep = np.ones(fp.size, dtype=bool)
    for _ in range(ITERATIONS):
        var = a2 * fp * fp + b * fp + 1e-300
        keep = rp <= (TRIM_Z * TRIM_Z) * var
        if keep.sum() < 3:
            break
        weights = 1.0 / (var[keep] ** 2)
        new_a2, new_b = _solve(fp[keep], rp[keep], weights)
        # a 3-sigma trim of a Gaussian keeps 97.3 % of its variance: undo that shrinkage
        new_a2, new_b = new_a2 / 0.9733, new_b / 0.9733
        if new_a2 == 0.0 and new_b == 0.0:
            break
        a2, b = new_a2, new_b
    # + b²: one typical event (b = E[x²]/E[x], the count part's event size; 1 for counts)
    # of variance even where little is expected: a count's noise is skewed at small means,
    # and Poisson(0.5) reaching 4 is not the 5-sigma event its Gaussian z says (its deviance
    # is 9.6, z² with the floor 8.2, without it 24.5)
    if event_size is not None:
        # known event counts: Poisson's b, and no b² term: the search then refuses elements
        # expecting fewer than MIN_EVENTS events instead (kpi_trust.rca.search), which keeps the
        # evidence of many sparse leaves together (74 failures against 18.5 expected over 300
        # leaves is z = 13 as a count, but each leaf's b² would have drowned it)
        b = max(b, float(event_size))
        var = a2 * f * f + b * f
    else:
        var = a2 * f * f + b * f + b * b
    smallest_positive = float(np.min(fp)) if fp.size else 1.0
    floor = max(a2 * smallest_positive**2 + b * smallest_positive, scale_floor**2) * 1e-2
    return np.sqrt(np.maximum(var, floor))
