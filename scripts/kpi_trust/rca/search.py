"""The search: which elements, as a set, explain the leaves' deviations from expected.

Hypothesis: a root cause is an element (a conjunction of dimension values) whose leaves all
moved by one common factor (the "ripple effect" of Squeeze / RiskLoc: a failing API in one
region loses the same share of calls in every client and document type below it); every
other leaf is at its expected value up to noise. A set of elements is scored by how much it
lowers a robust misfit of the leaves, each residual measured in its own noise scale
(:mod:`kpi_trust.rca.noise`):

    loss = Σ_leaves ρ((actual - predicted) / scale),   ρ = Huber(c): z² inside c, 2c|z| - c² out

and each element costs a penalty λ: under the null hypothesis (the element's leaves are
normal) its gain from fitting its own factor is a χ²₁ statistic, and λ is the Bonferroni
critical value of the largest of the M candidates searched, P(max gain > λ) ≤ α = 0.05 per
search: λ = χ²₁ quantile at 1 - α/M (≈ 23 for a 20,000-leaf, 4-dimension cube).
Elements are added greedily, best net gain first, until no candidate pays its penalty.
After each pick a *refinement* asks whether the element is too coarse: if splitting it
along one more attribute and keeping only the children that pay their own penalty explains
its leaves better (some children dropped as normal), the children replace it. Ancestors
and descendants of a chosen element are never chosen too, so the answer is the exact set,
not the set padded with its parents or children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from kpi_trust.rca.cube import Cube, Cuboid
from kpi_trust.rca.noise import leaf_scale

DEFAULT_HUBER = 3.0  # residuals beyond 3 sigma count linearly: one leaf cannot dominate
DEFAULT_MAX_CAUSES = 10
DEFAULT_ALPHA = 0.05  # chance per search that pure noise yields one element
# With known event sizes, an element must expect at least this many events to be a candidate:
# the normal approximation of a Poisson count (the χ²₁ of the penalty) needs a mean of about 5
# (the textbook n·p >= 5); below it one or two events read as a many-sigma jump.
MIN_EVENTS = 5.0


def bonferroni_penalty(n_candidates: int, alpha: float = DEFAULT_ALPHA) -> float:
    """χ²₁ critical value for the largest of ``n_candidates`` gains at family-wise ``alpha``."""
    z = NormalDist().inv_cdf(1.0 - alpha / (2.0 * max(n_candidates, 1)))
    return z * z


@dataclass
class Cause:
    """One chosen element: where it is, which leaves it explains and its fitted factor."""

    cuboid: int
    element: int
    ratio: float
    gain: float
    leaves: np.ndarray = field(repr=False)  # leaves this cause explains (disjoint across causes)


@dataclass
class SearchResult:
    causes: list[Cause]
    scale: np.ndarray
    penalty: float


def huber(z: np.ndarray, c: float) -> np.ndarray:
    a = np.abs(z)
    return np.where(a <= c, z * z, 2.0 * c * a - c * c)


class _Search:
    def __init__(
        self, cube: Cube, actual, expected, scale, huber_c, penalty, max_causes, min_mass=0.0
    ):
        self.cube = cube
        self.v = actual
        self.f = expected
        self.s = scale
        self.c = huber_c
        self.penalty = penalty
        self.max_causes = max_causes
        self.min_mass = min_mass
        self.by_attributes = {cuboid.attributes: i for i, cuboid in enumerate(cube.cuboids)}
        self.base_loss = huber((actual - expected) / scale, huber_c)
        self.weight_num = actual * expected / (scale * scale)
        self.weight_den = expected * expected / (scale * scale)

    def fit(self, cuboid: Cuboid, leaves: np.ndarray):
        """Per element (over ``leaves``): fitted factor, loss with it, loss without it."""
        m = cuboid.n_elements
        elem = cuboid.leaf_element[leaves]
        num = np.bincount(elem, self.weight_num[leaves], m)
        den = np.bincount(elem, self.weight_den[leaves], m)
        ratio = np.divide(num, den, out=np.ones(m), where=den > 0)
        fitted = huber((self.v[leaves] - self.f[leaves] * ratio[elem]) / self.s[leaves], self.c)
        fit_loss = np.bincount(elem, fitted, m)
        base = np.bincount(elem, self.base_loss[leaves], m)
        return ratio, fit_loss, base

    def _expected_mass(self, cuboid: Cuboid, leaves: np.ndarray) -> np.ndarray:
        return np.bincount(cuboid.leaf_element[leaves], np.abs(self.f[leaves]), cuboid.n_elements)

    def block(self, blocked: list[np.ndarray], cuboid_index: int, element: int) -> None:
        """Block the element, its ancestors and its descendants in every cuboid."""
        cuboid = self.cube.cuboids[cuboid_index]
        members = np.flatnonzero(cuboid.leaf_element == element)
        mine = set(cuboid.attributes)
        for other_index, other in enumerate(self.cube.cuboids):
            theirs = set(other.attributes)
            if theirs <= mine or theirs >= mine:
                blocked[other_index][np.unique(other.leaf_element[members])] = True

    def refine(self, cause: Cause) -> list[Cause]:
        """Replace a too-coarse element by the children that carry its deviation."""
        cuboid = self.cube.cuboids[cause.cuboid]
        leaves = cause.leaves
        own = self.fit(cuboid, leaves)
        parent_loss = float(own[1][cause.element]) + self.penalty
        best = None
        for attribute in range(len(self.cube.dimensions)):
            if attribute in cuboid.attributes:
                continue
            key = tuple(sorted((*cuboid.attributes, attribute)))
            child_index = self.by_attributes.get(key)
            if child_index is None:
                continue
            child = self.cube.cuboids[child_index]
            ratio, fit_loss, base = self.fit(child, leaves)
            present = np.unique(child.leaf_element[leaves])
            # children with nothing expected cannot be explained by a factor: neutral
            present = present[self._expected_mass(child, leaves)[present] > 0]
            gains = base[present] - fit_loss[present]
            keep = gains > self.penalty
            if self.min_mass > 0:
                keep &= self._expected_mass(child, leaves)[present] >= self.min_mass
            n_keep = int(keep.sum())
            if n_keep == 0 or n_keep == present.size:
                continue  # nothing to localise, or every child moved: the parent is the cause
            loss = (
                float(fit_loss[present[keep]].sum())
                + float(base[present[~keep]].sum())
                + self.penalty * n_keep
            )
            if loss < parent_loss and (best is None or loss < best[0]):
                best = (loss, child_index, present[keep], ratio, gains[keep])
        if best is None:
            return [cause]
        _, child_index, elements, ratio, gains = best
        child = self.cube.cuboids[child_index]
        in_child = child.leaf_element[leaves]
        refined = []
        for element, gain in zip(elements, gains, strict=True):
            sub = Cause(
                child_index,
                int(element),
                float(ratio[element]),
                float(gain),
                leaves[in_child == element],
            )
            refined.extend(self.refine(sub))
        return refined

    def run(self) -> list[Cause]:
        n = self.cube.n_leaves
        covered = np.zeros(n, dtype=bool)
        blocked = [np.zeros(c.n_elements, dtype=bool) for c in self.cube.cuboids]
        causes: list[Cause] = []
        while len(causes) < self.max_causes:
            free = np.flatnonzero(~covered)
            if free.size == 0:
                break
            best = None
            for index, cuboid in enumerate(self.cube.cuboids):
                ratio, fit_loss, base = self.fit(cuboid, free)
                gain = base - fit_loss
                gain[blocked[index]] = -np.inf
                if self.min_mass > 0:
                    gain[self._expected_mass(cuboid, free) < self.min_mass] = -np.inf
                element = int(np.argmax(gain))
                if best is None or gain[element] > best[0]:
                    best = (float(gain[element]), index, element, float(ratio[element]))
            if best is None or not best[0] > self.penalty:
                break
            gain, index, element, ratio = best
            cuboid = self.cube.cuboids[index]
            leaves = free[cuboid.leaf_element[free] == element]
            for cause in self.refine(Cause(index, element, ratio, gain, leaves)):
                causes.append(cause)
                covered[cause.leaves] = True
                self.block(blocked, cause.cuboid, cause.element)
        return causes


def predicted(expected: np.ndarray, causes: list[Cause]) -> np.ndarray:
    out = expected.astype(float).copy()
    for cause in causes:
        out[cause.leaves] = expected[cause.leaves] * cause.ratio
    return out


def search(
    cube: Cube,
    actual: np.ndarray,
    expected: np.ndarray,
    *,
    huber_c: float = DEFAULT_HUBER,
    penalty: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    max_causes: int = DEFAULT_MAX_CAUSES,
    event_size: float | None = None,
    min_mass: float | None = None,
) -> SearchResult:
    """Two passes: causes under the first noise fit, then again with the noise refitted on
    what those causes leave unexplained (so a large cause does not hide in the noise scale)."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    n_candidates = sum(c.n_elements for c in cube.cuboids)
    lam = bonferroni_penalty(n_candidates, alpha) if penalty is None else float(penalty)
    scale = leaf_scale(expected, actual - expected, event_size)
    if min_mass is None:
        min_mass = MIN_EVENTS * event_size if event_size else 0.0
    options = (huber_c, lam, max_causes, min_mass)
    causes = _Search(cube, actual, expected, scale, *options).run()
    if causes:
        scale = leaf_scale(expected, actual - predicted(expected, causes), event_size)
        causes = _Search(cube, actual, expected, scale, *options).run()
    return SearchResult(causes, scale, lam)
