"""Root causes of a leaf table: the public entry points, for additive and ratio measures.

``localize`` takes leaves with an actual and an expected value of an additive measure
(counts, sums); ``localize_ratio`` takes the numerator and denominator of a ratio measure
(success rate = successes / calls, ARPDAU = revenue / active users), each actual and expected.
A ratio moves for two reasons, and a cause is given with both parts: a *rate effect* (the
slice's own ratio changed) and a *mix effect* (the slice's share of the denominator changed,
and its ratio differs from the whole's). Per leaf i, with w its share of the denominator, r
its ratio and R the whole's ratio (a = actual, e = expected),

    mix_i  = (w_a,i - w_e,i) · (r_e,i - R_e)      rate_i = w_a,i · (r_a,i - r_e,i)

and Σ_i (mix_i + rate_i) = R_a - R_e exactly, so the shares of a cause add up with the rest.
Rate causes are searched on the numerator against "the expected ratio times the actual
denominator" (an additive cube whose deviations are the rate effects); mix causes on the
denominator itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpi_trust.rca.cube import Cube, build_cube
from kpi_trust.rca.search import DEFAULT_ALPHA, DEFAULT_HUBER, DEFAULT_MAX_CAUSES, Cause, search

# A traffic shift is reported as a cause of a ratio's movement only when its mix effect carries
# at least this share of the movement: a materiality choice (shifts of the denominator are
# everywhere in real traffic; one that moves the ratio by less than a third of its movement is
# not what moved it), not a statistic. The search's own penalty has already made it significant.
DEFAULT_MIN_MIX_SHARE = 1 / 3


@dataclass
class RootCause:
    """One root cause: a conjunction of dimension values, ranked by ``score``."""

    rank: int
    elements: dict[str, str]
    score: float  # evidence: drop of the robust misfit (χ²-like units) when it is explained
    actual: float  # the measure summed over the element's leaves (numerator for ratios)
    expected: float
    explained_share: float  # share of the total deviation inside the element (signed)
    ratio: float  # fitted actual / expected factor of its leaves
    effect: str = "additive"  # additive | rate | mix
    rate_share: float | None = None  # ratio measures: the two parts of explained_share
    mix_share: float | None = None
    value_actual: float | None = None  # ratio measures: the element's ratio, actual / expected
    value_expected: float | None = None

    @property
    def label(self) -> str:
        """``dim=value&dim=value`` with the pairs sorted, '' for the whole cube."""
        return "&".join(sorted(f"{k}={v}" for k, v in self.elements.items()))

    @property
    def is_broad(self) -> bool:
        return not self.elements


@dataclass
class Localization:
    causes: list[RootCause]
    total_actual: float
    total_expected: float
    penalty: float
    n_leaves: int
    dimensions: tuple[str, ...] = field(default=())
    # False when the leaves are too sparse for any slice to be tested (search.SearchResult)
    testable: bool = True

    @property
    def is_broad(self) -> bool:
        """True when no slice explains the movement: the top cause is the whole cube, or
        nothing localises it."""
        return not self.causes or self.causes[0].is_broad


def _element_leaves(cube: Cube, cause: Cause) -> np.ndarray:
    return cube.cuboids[cause.cuboid].leaf_element == cause.element


def _check(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        if column not in frame.columns:
            raise KeyError(column)


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    return np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)


def localize(
    frame: pd.DataFrame,
    dimensions: list[str],
    actual: str,
    expected: str,
    *,
    max_attributes: int | None = None,
    max_causes: int = DEFAULT_MAX_CAUSES,
    huber_c: float = DEFAULT_HUBER,
    penalty: float | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> Localization:
    """Root causes of an additive measure's deviation (``actual`` vs ``expected`` per leaf)."""
    _check(frame, [*dimensions, actual, expected])
    cube = build_cube(frame, dimensions, max_attributes)
    return localize_cube(
        cube,
        _numeric(frame, actual),
        _numeric(frame, expected),
        max_causes=max_causes,
        huber_c=huber_c,
        penalty=penalty,
        alpha=alpha,
    )


def localize_cube(
    cube: Cube,
    v: np.ndarray,
    f: np.ndarray,
    *,
    max_causes: int = DEFAULT_MAX_CAUSES,
    huber_c: float = DEFAULT_HUBER,
    penalty: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    event_size: float | None = None,
    background: float | None = None,
) -> Localization:
    """:func:`localize` on an encoded cube and its leaves' actual / expected arrays (the
    warehouse reuses one cube for every KPI of a day). ``background``: actual / expected of the
    leaves outside the cube when it is a slice of a larger one (see
    :func:`kpi_trust.rca.search.search`)."""
    result = search(
        cube,
        v,
        f,
        huber_c=huber_c,
        penalty=penalty,
        alpha=alpha,
        max_causes=max_causes,
        event_size=event_size,
        background=background,
    )
    total_dev = float(v.sum() - f.sum())
    causes = []
    for cause in result.causes:
        mask = _element_leaves(cube, cause)
        a, e = float(v[mask].sum()), float(f[mask].sum())
        share = (a - e) / total_dev if total_dev else 0.0
        causes.append(
            RootCause(
                0,
                cube.describe(cube.cuboids[cause.cuboid], cause.element),
                cause.gain,
                a,
                e,
                share,
                cause.ratio,
            )
        )
    return Localization(
        _ranked(causes),
        float(v.sum()),
        float(f.sum()),
        result.penalty,
        cube.n_leaves,
        cube.dimensions,
        result.testable,
    )


def _ranked(causes: list[RootCause]) -> list[RootCause]:
    causes.sort(key=lambda c: (-c.score, len(c.elements), c.label))
    for rank, cause in enumerate(causes, start=1):
        cause.rank = rank
    return causes


def ratio_contributions(
    num_a: np.ndarray,
    num_e: np.ndarray,
    den_a: np.ndarray,
    den_e: np.ndarray,
    prior_weight: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, float, float, np.ndarray]:
    """Per-leaf mix and rate effects on the whole's ratio, the two totals' ratios, and each
    leaf's expected ratio (the whole's where a leaf expected no denominator; shrunk toward the
    whole's by ``prior_weight`` denominator units, see :func:`localize_ratio_cube`)."""
    total_den_a, total_den_e = float(den_a.sum()), float(den_e.sum())
    big_r_a = float(num_a.sum()) / total_den_a if total_den_a else 0.0
    big_r_e = float(num_e.sum()) / total_den_e if total_den_e else 0.0
    shrunk_den = den_e + prior_weight
    r_e = np.divide(
        num_e + prior_weight * big_r_e,
        shrunk_den,
        out=np.full(num_e.shape, big_r_e),
        where=shrunk_den > 0,
    )
    r_a = np.divide(num_a, den_a, out=r_e.copy(), where=den_a > 0)
    w_a = den_a / total_den_a if total_den_a else np.zeros_like(den_a)
    w_e = den_e / total_den_e if total_den_e else np.zeros_like(den_e)
    mix = (w_a - w_e) * (r_e - big_r_e)
    rate = w_a * (r_a - r_e)
    return mix, rate, big_r_a, big_r_e, r_e


def localize_ratio(
    frame: pd.DataFrame,
    dimensions: list[str],
    numerator: tuple[str, str],
    denominator: tuple[str, str],
    *,
    max_attributes: int | None = None,
    max_causes: int = DEFAULT_MAX_CAUSES,
    huber_c: float = DEFAULT_HUBER,
    penalty: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    min_mix_share: float = DEFAULT_MIN_MIX_SHARE,
) -> Localization:
    """Root causes of a ratio's deviation; ``numerator`` / ``denominator`` are (actual,
    expected) column pairs. Totals in the result are the whole's ratio, actual and expected."""
    _check(frame, [*dimensions, *numerator, *denominator])
    cube = build_cube(frame, dimensions, max_attributes)
    return localize_ratio_cube(
        cube,
        _numeric(frame, numerator[0]),
        _numeric(frame, numerator[1]),
        _numeric(frame, denominator[0]),
        _numeric(frame, denominator[1]),
        max_causes=max_causes,
        huber_c=huber_c,
        penalty=penalty,
        alpha=alpha,
        min_mix_share=min_mix_share,
    )


def localize_ratio_cube(
    cube: Cube,
    num_a: np.ndarray,
    num_e: np.ndarray,
    den_a: np.ndarray,
    den_e: np.ndarray,
    *,
    max_causes: int = DEFAULT_MAX_CAUSES,
    huber_c: float = DEFAULT_HUBER,
    penalty: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    min_mix_share: float = DEFAULT_MIN_MIX_SHARE,
    prior_weight: float = 0.0,
    event_sizes: tuple[float | None, float | None] = (None, None),
    numerator_min_mass: float | None = None,
    backgrounds: tuple[float | None, float | None] = (None, None),
) -> Localization:
    """:func:`localize_ratio` on an encoded cube and numerator / denominator arrays.

    ``prior_weight`` > 0 shrinks each leaf's expected ratio toward the whole's, as if the
    whole's ratio had been seen on that many extra expected denominator units: a sparse leaf
    whose history is a few trials (a median of 0 failures) is not expected to never fail.
    ``event_sizes``: the numerator's and denominator's event sizes (see
    :func:`kpi_trust.rca.noise.leaf_scale`), None when they are not event counts;
    ``numerator_min_mass`` overrides the least expected numerator of a rate cause (see
    :data:`kpi_trust.rca.search.MIN_EVENTS`). ``backgrounds``: for a cube that is a slice of a
    larger one, the rate search's and the mix search's factor of the leaves outside it (see
    :func:`kpi_trust.rca.search.search`).
    """
    mix, rate, big_a, big_e, r_e = ratio_contributions(num_a, num_e, den_a, den_e, prior_weight)
    movement = big_a - big_e
    options = {"huber_c": huber_c, "penalty": penalty, "alpha": alpha, "max_causes": max_causes}
    rate_result = search(
        cube,
        num_a,
        den_a * r_e,
        event_size=event_sizes[0],
        min_mass=numerator_min_mass,
        background=backgrounds[0],
        **options,
    )
    found: list[tuple[Cause, str]] = [(cause, "rate") for cause in rate_result.causes]
    mix_result = search(
        cube, den_a, den_e, event_size=event_sizes[1], background=backgrounds[1], **options
    )
    chosen = [set(np.flatnonzero(_element_leaves(cube, c))) for c, _ in found]
    for cause in mix_result.causes:
        mask = _element_leaves(cube, cause)
        share = float(mix[mask].sum()) / movement if movement else 0.0
        leaves = set(np.flatnonzero(mask))
        if share >= min_mix_share and not any(leaves <= s or s <= leaves for s in chosen):
            found.append((cause, "mix"))
            chosen.append(leaves)
    causes = []
    for cause, effect in found:
        mask = _element_leaves(cube, cause)
        mix_share = float(mix[mask].sum()) / movement if movement else 0.0
        rate_share = float(rate[mask].sum()) / movement if movement else 0.0
        da, de = float(den_a[mask].sum()), float(den_e[mask].sum())
        na, ne = float(num_a[mask].sum()), float(num_e[mask].sum())
        causes.append(
            RootCause(
                0,
                cube.describe(cube.cuboids[cause.cuboid], cause.element),
                cause.gain,
                na,
                ne,
                mix_share + rate_share,
                cause.ratio,
                effect,
                rate_share,
                mix_share,
                na / da if da else None,
                ne / de if de else None,
            )
        )
    return Localization(
        _ranked(causes),
        big_a,
        big_e,
        rate_result.penalty,
        cube.n_leaves,
        cube.dimensions,
        rate_result.testable and mix_result.testable,
    )
