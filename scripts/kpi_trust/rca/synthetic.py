"""Synthetic leaf cubes with known root causes, for tests and benchmarks.

Modelled on the published semi-synthetic benchmarks' recipe (Squeeze, RiskLoc): every
combination of the dimensions' values is a leaf; the expected value is heavy-tailed (Weibull
shape 0.5-1), a share of leaves is zero, the actual value is the expected one with a relative
forecast error (noise level 0-``max_noise``, drawn per cube), and 1-3 root-cause elements of
1-``max_attributes`` attributes each scale all their leaves by one factor (a drop or a rise
of severity 0.2-1.0 plus the noise level, so an anomaly is not smaller than the noise). Root
causes never contain one another and never share a value of a shared dimension.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class SyntheticCase:
    frame: pd.DataFrame  # dimension columns a, b, c..., then actual, expected
    dimensions: list[str]
    labels: set[str]  # root causes as sorted 'dim=value&dim=value'


def make_case(
    rng: np.random.Generator,
    sizes: tuple[int, ...] = (10, 12, 10, 15),
    n_causes: tuple[int, int] = (1, 3),
    max_attributes: int = 3,
    max_noise: float = 0.1,
    zero_rate: float = 0.1,
    cause_spread: float = 0.02,
) -> SyntheticCase:
    names = [chr(ord("a") + i) for i in range(len(sizes))]
    grid = np.array(list(itertools.product(*[range(s) for s in sizes])), dtype=np.int64)
    n = grid.shape[0]
    frame = pd.DataFrame(
        {name: np.char.add(name, grid[:, i].astype(str)) for i, name in enumerate(names)}
    )
    expected = rng.weibull(rng.uniform(0.5, 1.0), n) * 100 * (rng.uniform(size=n) > zero_rate)
    noise = rng.uniform(0.0, max_noise)
    actual = np.maximum(expected * (1 + rng.normal(0.0, noise, n)), 0.0)
    labels: set[str] = set()
    used: dict[int, set[int]] = {}
    causes: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    count = int(rng.integers(n_causes[0], n_causes[1], endpoint=True))
    attempts = 0
    while len(causes) < count and attempts < 1000:
        attempts += 1
        k = int(rng.integers(1, min(max_attributes, len(sizes)), endpoint=True))
        attrs = tuple(sorted(rng.choice(len(sizes), size=k, replace=False).tolist()))
        values = tuple(int(rng.integers(0, sizes[a])) for a in attrs)
        if any(values[i] in used.get(a, set()) for i, a in enumerate(attrs)):
            continue
        mask = np.logical_and.reduce([grid[:, a] == v for a, v in zip(attrs, values, strict=True)])
        if expected[mask].sum() <= 0:
            continue
        causes.append((attrs, values))
        for a, v in zip(attrs, values, strict=True):
            used.setdefault(a, set()).add(v)
        severity = rng.uniform(0.2, 1.0) + noise
        factor = max(1.0 - severity, 0.0) if rng.uniform() < 0.5 else 1.0 + severity
        actual[mask] = (
            expected[mask] * factor * (1 + rng.normal(0.0, cause_spread, int(mask.sum())))
        )
        labels.add(
            "&".join(
                sorted(f"{names[a]}={names[a]}{v}" for a, v in zip(attrs, values, strict=True))
            )
        )
    frame["actual"] = actual
    frame["expected"] = expected
    return SyntheticCase(frame, names, labels)


def f1_counts(predicted: set[str], truth: set[str]) -> tuple[int, int, int]:
    """True positives, false positives, false negatives of exact root-cause elements."""
    tp = len(predicted & truth)
    return tp, len(predicted - truth), len(truth - predicted)


def make_ratio_case(
    rng: np.random.Generator,
    sizes: tuple[int, ...] = (6, 8, 5, 10),
    n_causes: tuple[int, int] = (1, 2),
    max_attributes: int = 2,
    mean_count: float = 200.0,
) -> SyntheticCase:
    """A ratio measure (events / trials per leaf, e.g. failures / calls) with counting noise.

    Trials per leaf are Poisson around a heavy-tailed expectation; each leaf has its own base
    rate (Beta distributed); a root cause multiplies its leaves' rate by 1.5-4 (a failure
    spike) or 0.1-0.5 (a drop). Columns: dims, num_actual, num_expected, den_actual,
    den_expected.
    """
    names = [chr(ord("a") + i) for i in range(len(sizes))]
    grid = np.array(list(itertools.product(*[range(s) for s in sizes])), dtype=np.int64)
    n = grid.shape[0]
    frame = pd.DataFrame(
        {name: np.char.add(name, grid[:, i].astype(str)) for i, name in enumerate(names)}
    )
    den_expected = rng.weibull(0.8, n) * mean_count
    den_actual = rng.poisson(den_expected).astype(float)
    rate = rng.beta(2, 18, n)
    factor = np.ones(n)
    labels: set[str] = set()
    used: dict[int, set[int]] = {}
    count = int(rng.integers(n_causes[0], n_causes[1], endpoint=True))
    while len(labels) < count:
        k = int(rng.integers(1, min(max_attributes, len(sizes)), endpoint=True))
        attrs = tuple(sorted(rng.choice(len(sizes), size=k, replace=False).tolist()))
        values = tuple(int(rng.integers(0, sizes[a])) for a in attrs)
        if any(values[i] in used.get(a, set()) for i, a in enumerate(attrs)):
            continue
        mask = np.logical_and.reduce([grid[:, a] == v for a, v in zip(attrs, values, strict=True)])
        for a, v in zip(attrs, values, strict=True):
            used.setdefault(a, set()).add(v)
        factor[mask] = rng.uniform(1.5, 4.0) if rng.uniform() < 0.5 else rng.uniform(0.1, 0.5)
        labels.add(
            "&".join(
                sorted(f"{names[a]}={names[a]}{v}" for a, v in zip(attrs, values, strict=True))
            )
        )
    frame["num_actual"] = rng.binomial(den_actual.astype(np.int64), np.clip(rate * factor, 0, 1))
    frame["num_expected"] = den_expected * rate
    frame["den_actual"] = den_actual
    frame["den_expected"] = den_expected
    return SyntheticCase(frame, names, labels)
