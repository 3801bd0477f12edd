"""Detector (a): a robust seasonal baseline with a robust z-score and an IQR fence.

Three candidate expectations are computed from rows strictly before each row:

* ``seasonal``: median of the same phase (weekday for daily data, time-of-day slot +- 30 min
  for sub-daily data) over the last ``season_periods`` periods;
* ``trailing``: median of the trailing ``window``;
* ``recent``: median of the last ``recent_rows`` observations (follows autocorrelated metrics).

Each candidate's own past residuals give it a robust scale (1.4826 MAD, at least IQR/1.349 and
the value resolution; mean absolute deviation or a tiny epsilon when those are all 0). The row
uses the trailing baseline unless the seasonal one cuts that scale by 10 %, and the recent one
if it cuts the chosen scale by a further 15 %: the choice itself only looks at the past.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special
from scipy.stats import norm as stats_norm

from kpi_trust.anomaly.config import Resolved

MAD_TO_SIGMA = 1.4826
IQR_TO_SIGMA = 1.349
MEAN_AD_TO_SIGMA = 1.2533
# Asymptotic efficiency of the MAD relative to the standard deviation under normal noise.
MAD_EFFICIENCY = 0.37
# Observations a window needs before a value outside a discrete signal's range is flagged.
DISCRETE_MIN_OBS = 50
CHUNK = 4096


def phase_median(grid: np.ndarray, x: np.ndarray, res: Resolved) -> tuple[np.ndarray, np.ndarray]:
    """Median and count of same-phase values in the trailing periods (strictly earlier rows).

    ``grid`` is each row's integer step index, so missing rows (gaps) simply contribute
    nothing. Offsets j*period - d (j = 1..season_periods, |d| <= phase_slots) are all >= 1.
    """
    n = len(x)
    if not res.period_steps:
        return np.full(n, np.nan), np.zeros(n)
    slots = np.arange(-res.phase_slots, res.phase_slots + 1)
    periods = np.arange(1, res.cfg.season_periods + 1)
    offsets = (periods[:, None] * res.period_steps - slots[None, :]).ravel()
    med, count = np.full(n, np.nan), np.zeros(n)
    for start in range(0, n, CHUNK):
        target = grid[start : start + CHUNK, None] - offsets[None, :]
        pos = np.clip(np.searchsorted(grid, target), 0, n - 1)
        values = np.where(grid[pos] == target, x[pos], np.nan)
        # Enough history means values from at least `min_season_periods` distinct periods.
        seen = ~np.isnan(values).reshape(len(target), len(periods), len(slots))
        periods_seen = seen.any(axis=2).sum(axis=1)
        ok = periods_seen >= res.cfg.min_season_periods
        count[start : start + CHUNK] = np.where(ok, seen.sum(axis=(1, 2)), 0)
        if ok.any():
            med[start : start + CHUNK][ok] = np.nanmedian(values[ok], axis=1)
    return med, count


def resolution(x: np.ndarray) -> np.ndarray:
    """The smallest positive step between consecutive earlier observations (quantisation)."""
    observed = ~np.isnan(x)
    steps = np.full(len(x), np.inf)
    idx = np.flatnonzero(observed)
    if len(idx) > 1:
        diffs = np.abs(np.diff(x[idx]))
        steps[idx[1:]] = np.where(diffs > 0, diffs, np.inf)
    running = np.minimum.accumulate(steps)
    out = np.concatenate([[np.inf], running[:-1]])  # strictly before the row
    return np.where(np.isfinite(out), out, 0.0)


def _at(matrix: np.ndarray, position: np.ndarray) -> np.ndarray:
    clipped = np.clip(position, 0, matrix.shape[1] - 1)
    return np.take_along_axis(matrix, clipped[:, None], axis=1)[:, 0]


def window_quantile(q: float, minp: int = 1):
    """pandas' linear rolling quantile: v[i] + (v[i + 1] - v[i]) * frac, i + frac = q (n - 1)."""

    def quantile(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
        where = q * (count - 1)
        low = np.floor(where).astype(np.int64)
        v_low, v_high = _at(matrix, low), _at(matrix, low + 1)
        out = np.where(where == low, v_low, v_low + (v_high - v_low) * (where - low))
        return np.where(count >= max(minp, 1), out, np.nan)

    return quantile


def window_median(minp: int = 1):
    """pandas' rolling median: the middle value, or the mean of the two middle values."""

    def median(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
        middle = count // 2
        upper = _at(matrix, middle)
        out = np.where(count % 2 == 1, upper, (upper + _at(matrix, middle - 1)) / 2)
        return np.where(count >= max(minp, 1), out, np.nan)

    return median


def window_max(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.where(count >= 1, _at(matrix, count - 1), np.nan)


def window_min(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.where(count >= 1, matrix[:, 0], np.nan)


def window_mean(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Mean of the window's values, summed left to right (np.cumsum) so the result does not
    depend on the matrix's width (np.nansum's pairwise blocks do: a series cut short would get
    other last bits, and the no-look-ahead rule is checked bit for bit)."""
    running = np.cumsum(np.nan_to_num(matrix, nan=0.0), axis=1)
    total = _at(running, np.maximum(count, 1) - 1)
    return np.where(count >= 1, total / np.maximum(count, 1), np.nan)


def window_count(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    return count.astype(float)


class TrailingWindows:
    """The trailing window of every row, [t - window, t) (pandas' ``closed="left"``), or the
    last ``rows`` rows: rolling statistics of several columns over the same windows, in numpy.

    Why not ``Series.rolling``: a series is scored with ~25 rolling statistics, and for short
    series (a 90-day KPI: ~1,000 of them per warehouse build) pandas' per-call overhead, not the
    arithmetic, was most of the detector's time. Each window's values are sorted once (NaN last)
    and the order statistics read off it; quantiles interpolate and medians average the two
    middle values as pandas does, so the results are the same numbers. Rows are processed in
    chunks so a long series never holds more than CHUNK x window values at once.
    """

    def __init__(self, index: pd.DatetimeIndex, window: pd.Timedelta | None, rows: int = 0):
        n = len(index)
        self.end = np.arange(n)
        if window is not None:
            times = index.as_unit("ns").asi8
            self.start = np.searchsorted(times, times - window.value, side="left")
        else:
            self.start = np.maximum(self.end - rows, 0)
        self.size = self.end - self.start

    def sorted_windows(self, values: np.ndarray):
        """(first row, sorted window matrix with NaN last, non-NaN count) per chunk of rows."""
        width = max(int(self.size.max(initial=0)), 1)
        for first in range(0, len(values), CHUNK):
            start, end = self.start[first : first + CHUNK], self.end[first : first + CHUNK]
            positions = start[:, None] + np.arange(width)[None, :]
            inside = positions < end[:, None]
            matrix = np.where(inside, values[np.clip(positions, 0, len(values) - 1)], np.nan)
            matrix.sort(axis=1)
            yield first, matrix, (~np.isnan(matrix)).sum(axis=1)

    def stats(self, values: np.ndarray, **functions) -> dict[str, np.ndarray]:
        """Each function(sorted window matrix, non-NaN count) per row; NaN for empty windows
        (pandas' result when the window holds no row at all)."""
        out: dict[str, list[np.ndarray]] = {name: [] for name in functions}
        for _, matrix, count in self.sorted_windows(values):
            for name, function in functions.items():
                out[name].append(function(matrix, count))
        empty = self.size == 0
        return {
            name: np.where(empty, np.nan, np.concatenate(parts) if parts else np.array([]))
            for name, parts in out.items()
        }


def rolling_scale(
    values: np.ndarray, res: Resolved, floor: np.ndarray, windows: TrailingWindows
) -> dict[str, np.ndarray]:
    """Robust scale and quartiles of a residual series over the trailing window (past only)."""
    plain = windows.stats(
        values, q1=window_quantile(0.25), q3=window_quantile(0.75), count=window_count
    )
    absolute = windows.stats(np.abs(values), median=window_median(), mean=window_mean)
    q1, q3 = plain["q1"], plain["q3"]
    robust = np.fmax(MAD_TO_SIGMA * absolute["median"], (q3 - q1) / IQR_TO_SIGMA)
    # More than half the window at one value (a sparse-event rate that is 0 on most days, a
    # constant metric): the MAD and the IQR are 0 and say nothing about how far the other
    # values go. The mean absolute deviation does: it grows with how often and how far the
    # series leaves that value, so a value like those seen before is not scored as infinitely
    # far. The resolution floor still applies on top.
    scale = np.where(robust > 0, robust, MEAN_AD_TO_SIGMA * absolute["mean"])
    scale = np.fmax(scale, floor)
    # A constant history (every deviation 0) and no resolution: no scale (NaN), as before.
    scale = np.where(scale > 0, scale, np.nan)
    return {"scale": scale, "q1": q1, "q3": q3, "count": plain["count"]}


def value_history(x: np.ndarray, windows: TrailingWindows) -> dict[str, np.ndarray]:
    """Per row, over the trailing window (past only): how often this exact value was seen,
    how many distinct values and observations the window holds.

    Quantised and two-level signals revisit the same values; a value that is common in the
    recent past is a known state, not an anomaly, however far it is from the median.
    ``share`` is the share of the window's observations equal to this row's value when at
    least two are, else 0.
    """
    share, distinct, size = np.zeros(len(x)), np.zeros(len(x)), np.zeros(len(x))
    for first, matrix, count in windows.sorted_windows(x):
        rows = slice(first, first + len(count))
        value = x[rows]
        hits = (matrix == value[:, None]).sum(axis=1)
        # sorted, NaN last: a new distinct value wherever a value differs from the one before
        changes = (matrix[:, 1:] != matrix[:, :-1]) & (
            np.arange(1, matrix.shape[1])[None, :] < count[:, None]
        )
        distinct[rows] = np.where(count > 0, 1 + changes.sum(axis=1), 0)
        size[rows] = count
        known = (count > 0) & ~np.isnan(value) & (hits >= 2)
        share[rows] = np.where(known, hits / np.maximum(count, 1), 0.0)
    return {"share": share, "distinct": distinct, "size": size}


def robust_baseline(
    index: pd.DatetimeIndex, grid: np.ndarray, x: np.ndarray, res: Resolved
) -> dict[str, np.ndarray]:
    """Expected value, band, robust z, score (0-1) and flag of the seasonal-baseline detector,
    and the residuals the other detectors read: one array per name, one value per row."""
    cfg = res.cfg
    windows = TrailingWindows(index, res.window)
    past = windows.stats(x, median=window_median(), max=window_max, min=window_min)
    trailing = past["median"]
    last_rows = TrailingWindows(index, None, rows=cfg.recent_rows)
    recent = last_rows.stats(x, median=window_median(cfg.recent_rows // 2))["median"]
    seasonal, _ = phase_median(grid, x, res)
    floor = resolution(x)
    candidates = {"trailing": trailing, "seasonal": seasonal, "recent": recent}
    stats = {
        name: rolling_scale(x - pred, res, floor, windows) for name, pred in candidates.items()
    }

    def usable(name: str) -> np.ndarray:
        frame = stats[name]
        return (
            ~np.isnan(candidates[name]) & (frame["count"] >= cfg.min_samples) & (frame["scale"] > 0)
        )

    choice = np.where(usable("trailing"), "trailing", "")
    best = np.where(usable("trailing"), stats["trailing"]["scale"], np.inf)
    for name, gain in (("seasonal", 0.90), ("recent", 0.85)):
        better = usable(name) & (stats[name]["scale"] <= gain * best)
        choice = np.where(better, name, choice)
        best = np.where(better, stats[name]["scale"], best)

    def pick(column: str | None) -> np.ndarray:
        out = np.full(len(x), np.nan)
        for name, pred in candidates.items():
            source = pred if column is None else stats[name][column]
            out = np.where(choice == name, source, out)
        return out

    expected, q1, q3, count = pick(None), pick("q1"), pick("q3"), pick("count")
    level = np.where(np.isnan(trailing), expected, trailing)
    eps = 1e-6 * np.fmax(1.0, np.abs(np.nan_to_num(level)))
    scale = np.fmax(np.where(np.isfinite(best), best, np.nan), eps)
    history = np.concatenate([[0], np.cumsum(~np.isnan(x))[:-1]])
    eligible = (choice != "") & (history >= cfg.min_history) & ~np.isnan(x)

    resid = x - expected
    z = resid / scale
    # The scale is estimated from `count` past residuals: read z on Student's t with the
    # MAD's effective degrees of freedom, so the false-alarm rate is that of z_threshold on
    # a known scale (two-sided P = 4.7e-4 at 3.5) whatever the window holds.
    dof = np.fmax(1.0, MAD_EFFICIENCY * (np.nan_to_num(count) - 1))
    alpha = 2 * stats_norm.sf(cfg.z_threshold)
    # Student's t tail via scipy.special, as scipy.stats.t computes it (t.isf(q, df) is
    # -stdtrit(df, q), t.sf(x, df) is stdtr(df, -x)) without its per-call argument checks.
    cutoff = -special.stdtrit(dof, alpha / 2)
    p_value = 2 * special.stdtr(dof, -np.abs(z))
    seen = value_history(x, windows)
    share = seen["share"]
    known = share >= max(cfg.known_state_share, 1e-12)
    # A discrete signal (few distinct values, many observations) leaving its observed range is
    # a new state: flagged even when the robust z is small (two levels 0/1, then a 3).
    discrete = (seen["distinct"] <= cfg.max_states) & (seen["size"] >= DISCRETE_MIN_OBS)
    new_state = discrete & ((x > past["max"]) | (x < past["min"]))
    p_value = np.where(new_state, np.fmin(p_value, 1 / (seen["size"] + 1)), p_value)
    iqr = q3 - q1
    outside = (resid < q1 - cfg.iqr_k * iqr) | (resid > q3 + cfg.iqr_k * iqr)
    flag = eligible & (((p_value <= alpha) & outside & ~known) | new_state)
    score = np.where(share > 0, np.minimum(1 - p_value, 1 - share), 1 - p_value)
    # The change-point and ML detectors need residuals and a scale that do not jump when the
    # choice above flips: the seasonal expectation when seasonality is present, else trailing.
    seasonal_present = usable("seasonal") & (
        stats["seasonal"]["scale"] <= 0.90 * stats["trailing"]["scale"]
    )
    reference = np.where(seasonal_present, x - seasonal, x - trailing)
    ref_scale = np.where(seasonal_present, stats["seasonal"]["scale"], stats["trailing"]["scale"])
    trailing_scale = np.fmax(np.nan_to_num(stats["trailing"]["scale"]), eps)
    return {
        "expected": expected,
        "lower": expected - cutoff * scale,
        "upper": expected + cutoff * scale,
        "scale": scale,
        "z": z,
        "baseline": choice,
        "eligible": eligible,
        "score_seasonal": np.where(eligible, score, np.nan),
        "flag_seasonal": flag,
        "trailing": trailing,
        "trailing_scale": trailing_scale,
        "seasonal_present": seasonal_present,
        "reference_resid": reference,
        "reference_scale": np.fmax(np.nan_to_num(ref_scale, nan=0.0), eps),
    }
