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
# A cause's parent is named instead of it (see _Search.coarsen) only when the rest of the parent
# moved at least this share of the cause's own movement, in log factor relative to the leaves
# outside the parent (rest factor >= cause factor ** (1/3) for a rise): materiality, not a
# statistic, the same "a third of the movement" as a ratio's mix effect (localize); the
# hierarchical test has already made the movement significant. Without it a parent whose rest
# is off by 0.1 % over a thousand leaves would replace an exact cause.
MIN_PART_MOVEMENT = 1 / 3


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
    # per leaf of ``leaves``: its fitted factor, when the parts of a coarsened cause moved by
    # different factors (see _Search.coarsen); None: every leaf at ``ratio``
    factors: np.ndarray | None = field(default=None, repr=False)


@dataclass
class SearchResult:
    causes: list[Cause]
    scale: np.ndarray
    penalty: float
    # False when no element of one attribute expected ``min_mass`` (MIN_EVENTS events): the
    # search could test nothing inside the cube, so finding nothing says "too few events to
    # tell", not "the whole moved alike"
    testable: bool = True


def huber(z: np.ndarray, c: float) -> np.ndarray:
    a = np.abs(z)
    return np.where(a <= c, z * z, 2.0 * c * a - c * c)


class _Search:
    def __init__(
        self,
        cube: Cube,
        actual,
        expected,
        scale,
        huber_c,
        penalty,
        max_causes,
        min_mass=0.0,
        alpha=DEFAULT_ALPHA,
        background=None,
    ):
        self.cube = cube
        self.v = actual
        self.f = expected
        self.s = scale
        self.c = huber_c
        self.penalty = penalty
        self.max_causes = max_causes
        self.min_mass = min_mass
        self.alpha = alpha
        self.background = background  # factor of the leaves outside the cube (see coarsen)
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

    def _ratio(self, leaves: np.ndarray, default: float = 1.0) -> float:
        den = float(self.weight_den[leaves].sum())
        return float(self.weight_num[leaves].sum()) / den if den > 0 else default

    def _loss(self, leaves: np.ndarray, ratio: float) -> float:
        z = (self.v[leaves] - self.f[leaves] * ratio) / self.s[leaves]
        return float(huber(z, self.c).sum())

    def _robust_ratio(self, leaves: np.ndarray, start: float) -> float:
        """The factor minimising the Huber loss of ``leaves`` (iteratively reweighted least
        squares from ``start``): parts of a cause that moved by different factors make the
        least-squares factor a poor fit for all of them."""
        v, f, s = self.v[leaves], self.f[leaves], self.s[leaves]
        ratio = start
        for _ in range(20):
            z = np.abs(v - f * ratio) / s
            w = np.minimum(1.0, self.c / np.maximum(z, 1e-12)) / (s * s)
            den = float((w * f * f).sum())
            if den <= 0:
                break
            new = float((w * f * v).sum()) / den
            if abs(new - ratio) <= 1e-6 * max(abs(ratio), 1.0):
                return new
            ratio = new
        return ratio

    def _moved(self, leaves: np.ndarray, cause_ratio: float, r_bg: float, tau: float):
        """(gain, factor) when ``leaves`` moved away from the background factor ``r_bg`` the
        way of a cause of factor ``cause_ratio``, significantly (gain > ``tau``) and materially
        (_moved_with); None otherwise."""
        if leaves.size == 0 or self.weight_den[leaves].sum() <= 0:
            return None
        if self.min_mass > 0 and np.abs(self.f[leaves]).sum() < self.min_mass:
            return None
        factor = self._robust_ratio(leaves, self._ratio(leaves, r_bg))
        if not _moved_with(factor, cause_ratio, r_bg):
            return None
        gain = self._loss(leaves, r_bg) - self._loss(leaves, factor)
        return (gain, factor) if gain > tau else None

    def coarsen(self, causes: list[Cause]) -> list[Cause]:
        """Replace a cause by its parent when the rest of the parent moved the same way.

        The search's causes move by one factor each; a cause whose parts moved by different
        factors (bots arriving through one channel, three quarters of them on one platform) is
        found as its largest part, or as several parts, and the parts too small to pass λ on
        their own stay unnamed. For each cause E of two or more attributes and each parent P (E
        without one attribute), the rest of P (its leaves outside E, other causes inside P
        included, causes overlapping P excluded) is tested against the leaves outside P and
        every cause: did it deviate from their factor, in E's direction? When other causes lie
        inside P, the rest outside them must have moved too (an intersection-union test: both
        must pass, no extra multiplicity), or be empty: every part of P moved, as the
        refinement's "every child moved: the parent is the cause". The statistic is the same
        robust χ²₁ gain as a cause's, and the family is every proper, non-empty sub-conjunction
        of every cause, 2^k - 2 for a cause of k attributes, at family-wise ``alpha``
        (Bonferroni): a hierarchical test asked only about causes already found, so it needs no
        correction for the whole cube's M candidates. A part must also have moved materially
        (MIN_PART_MOVEMENT of E's log factor). The whole cube is a parent only when the caller
        gives ``background``, the factor of the leaves outside it (the rest of the day around a
        slice searched alone): inside the cube alone there is nothing to compare its rest with,
        and a forecast a few percent off over thousands of leaves would read as a movement. P
        absorbs E and the causes inside it, and keeps each part's own factor for the residuals.
        """
        # the whole cube is a parent only when something outside it tells its background
        whole = 1 if self.background is not None else 2
        tests = sum(2 ** len(self.cube.cuboids[c.cuboid].attributes) - whole for c in causes)
        if tests <= 0:
            return causes
        tau = bonferroni_penalty(tests, self.alpha)
        n = self.cube.n_leaves
        changed = True
        while changed:
            changed = False
            for cause in sorted(causes, key=lambda c: -c.gain):
                cuboid = self.cube.cuboids[cause.cuboid]
                if len(cuboid.attributes) < whole or cause.leaves.size == 0:
                    continue
                others = [c for c in causes if c is not cause]
                taken = np.zeros(n, dtype=bool)
                for c in causes:
                    taken[c.leaves] = True
                best = None
                for attribute in cuboid.attributes:
                    key = tuple(a for a in cuboid.attributes if a != attribute)
                    parent_index = self.by_attributes.get(key)
                    if parent_index is None:
                        continue
                    parent = self.cube.cuboids[parent_index]
                    element = int(parent.leaf_element[cause.leaves[0]])
                    in_parent = parent.leaf_element == element
                    inside = [c for c in others if in_parent[c.leaves].all()]
                    excluded = np.zeros(n, dtype=bool)  # E and the causes overlapping P
                    excluded[cause.leaves] = True
                    for other in others:
                        if all(other is not c for c in inside):
                            excluded[other.leaves] = True
                    rest = np.flatnonzero(in_parent & ~excluded)  # inside causes included
                    free = np.flatnonzero(in_parent & ~taken)  # outside every cause
                    if key:
                        r_bg = self._ratio(np.flatnonzero(~in_parent & ~taken))
                    else:  # the whole cube: the leaves outside it, given by the caller
                        r_bg = float(self.background)
                    moved = self._moved(rest, cause.ratio, r_bg, tau)
                    if moved is None:
                        continue
                    free_moved = None
                    if inside and np.abs(self.f[free]).sum() > 0:
                        free_moved = self._moved(free, cause.ratio, r_bg, tau)
                        if free_moved is None:
                            continue  # only the other causes moved: they stay apart
                    if best is None or moved[0] > best[0]:
                        best = (moved[0], parent_index, element, free, inside, free_moved)
                if best is None:
                    continue
                gain, parent_index, element, free, inside, free_moved = best
                parts = [cause, *inside]
                free_factor = free_moved[1] if free_moved else self._ratio(free, 1.0)
                leaves = np.concatenate([*(c.leaves for c in parts), free])
                factors = np.concatenate(
                    [
                        *(
                            c.factors if c.factors is not None else np.full(c.leaves.size, c.ratio)
                            for c in parts
                        ),
                        np.full(free.size, free_factor),
                    ]
                )
                merged = Cause(
                    parent_index,
                    element,
                    self._ratio(leaves),
                    cause.gain + gain,
                    leaves,
                    factors,
                )
                causes = [c for c in causes if all(c is not p for p in parts)] + [merged]
                changed = True
                break
        return causes

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
        return self.coarsen(causes)


def _moved_with(part: float, cause: float, background: float) -> bool:
    """Did a part move the cause's way by at least MIN_PART_MOVEMENT of the cause's log factor
    (both relative to the background's factor)?"""
    if background <= 0 or cause <= 0 or cause == background:
        return False
    own = np.log(cause / background)
    if part <= 0:
        return own < 0  # the part dropped to nothing: as far as a drop goes
    return float(np.log(part / background) / own) >= MIN_PART_MOVEMENT


def predicted(expected: np.ndarray, causes: list[Cause]) -> np.ndarray:
    out = expected.astype(float).copy()
    for cause in causes:
        factor = cause.ratio if cause.factors is None else cause.factors
        out[cause.leaves] = expected[cause.leaves] * factor
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
    background: float | None = None,
) -> SearchResult:
    """Two passes: causes under the first noise fit, then again with the noise refitted on
    what those causes leave unexplained (so a large cause does not hide in the noise scale).
    ``background``: actual / expected of the leaves outside ``cube`` when it is a slice of a
    larger one, so the whole slice can be a cause's parent (see _Search.coarsen)."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    n_candidates = sum(c.n_elements for c in cube.cuboids)
    lam = bonferroni_penalty(n_candidates, alpha) if penalty is None else float(penalty)
    scale = leaf_scale(expected, actual - expected, event_size)
    if min_mass is None:
        min_mass = MIN_EVENTS * event_size if event_size else 0.0
    options = (huber_c, lam, max_causes, min_mass, alpha, background)
    causes = _Search(cube, actual, expected, scale, *options).run()
    if causes:
        scale = leaf_scale(expected, actual - predicted(expected, causes), event_size)
        causes = _Search(cube, actual, expected, scale, *options).run()
    return SearchResult(causes, scale, lam, _testable(cube, expected, min_mass))


def _testable(cube: Cube, expected: np.ndarray, min_mass: float) -> bool:
    """Could any slice of the cube be a candidate? The largest are its one-attribute elements:
    if none of them expects ``min_mass``, no conjunction does either."""
    if min_mass <= 0:
        return True
    mass = np.abs(expected)
    return any(
        np.bincount(c.leaf_element, mass, c.n_elements).max(initial=0.0) >= min_mass
        for c in cube.cuboids
        if len(c.attributes) == 1
    )
