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

from collections import Counter, deque

import numpy as np
import pandas as pd
from scipy.stats import norm as stats_norm
from scipy.stats import t as stats_t

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


def rolling_scale(resid: pd.Series, res: Resolved, floor: np.ndarray) -> pd.DataFrame:
    """Robust scale and quartiles of a residual series over the trailing window (past only)."""
    roll = resid.rolling(res.window, closed="left")
    abs_roll = resid.abs().rolling(res.window, closed="left")
    q1, q3 = roll.quantile(0.25).to_numpy(), roll.quantile(0.75).to_numpy()
    scale = np.fmax(MAD_TO_SIGMA * abs_roll.median().to_numpy(), (q3 - q1) / IQR_TO_SIGMA)
    scale = np.fmax(scale, floor)
    scale = np.where(scale > 0, scale, MEAN_AD_TO_SIGMA * abs_roll.mean().to_numpy())
    return pd.DataFrame(
        {"scale": scale, "q1": q1, "q3": q3, "count": roll.count().to_numpy()},
        index=resid.index,
    )


def value_history(index: pd.DatetimeIndex, x: np.ndarray, res: Resolved) -> pd.DataFrame:
    """Per row, over the trailing window (past only): how often this exact value was seen,
    how many distinct values and observations the window holds.

    Quantised and two-level signals revisit the same values; a value that is common in the
    recent past is a known state, not an anomaly, however far it is from the median.
    """
    times = index.as_unit("ns").asi8
    width = res.window.value
    window: deque[tuple[int, float]] = deque()
    counts: Counter[float] = Counter()
    share, distinct, size = np.zeros(len(x)), np.zeros(len(x)), np.zeros(len(x))
    for i, (t, value) in enumerate(zip(times, x, strict=True)):
        while window and window[0][0] < t - width:
            _, old = window.popleft()
            counts[old] -= 1
            if counts[old] == 0:
                del counts[old]
        distinct[i], size[i] = len(counts), len(window)
        if window and not np.isnan(value):
            hits = counts.get(value, 0)
            if hits >= 2:
                share[i] = hits / len(window)
        if not np.isnan(value):
            window.append((t, value))
            counts[value] += 1
    return pd.DataFrame({"share": share, "distinct": distinct, "size": size})


def robust_baseline(index: pd.DatetimeIndex, grid: np.ndarray, x: np.ndarray, res: Resolved):
    """Expected value, band, robust z, score (0-1) and flag of the seasonal-baseline detector."""
    cfg = res.cfg
    series = pd.Series(x, index=index)
    trailing = series.rolling(res.window, closed="left").median().to_numpy()
    recent = (
        series.shift(1).rolling(cfg.recent_rows, min_periods=cfg.recent_rows // 2).median()
    ).to_numpy()
    seasonal, _ = phase_median(grid, x, res)
    floor = resolution(x)
    candidates = {"trailing": trailing, "seasonal": seasonal, "recent": recent}
    stats = {
        name: rolling_scale(pd.Series(x - pred, index=index), res, floor)
        for name, pred in candidates.items()
    }

    def usable(name: str) -> np.ndarray:
        frame = stats[name]
        return (
            ~np.isnan(candidates[name])
            & (frame["count"].to_numpy() >= cfg.min_samples)
            & (frame["scale"].to_numpy() > 0)
        )

    choice = np.where(usable("trailing"), "trailing", "")
    best = np.where(usable("trailing"), stats["trailing"]["scale"].to_numpy(), np.inf)
    for name, gain in (("seasonal", 0.90), ("recent", 0.85)):
        better = usable(name) & (stats[name]["scale"].to_numpy() <= gain * best)
        choice = np.where(better, name, choice)
        best = np.where(better, stats[name]["scale"].to_numpy(), best)

    def pick(column: str | None) -> np.ndarray:
        out = np.full(len(x), np.nan)
        for name, pred in candidates.items():
            source = pred if column is None else stats[name][column].to_numpy()
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
    cutoff = stats_t.isf(alpha / 2, dof)
    p_value = 2 * stats_t.sf(np.abs(z), dof)
    seen = value_history(index, x, res)
    share = seen["share"].to_numpy()
    known = share >= max(cfg.known_state_share, 1e-12)
    # A discrete signal (few distinct values, many observations) leaving its observed range is
    # a new state: flagged even when the robust z is small (two levels 0/1, then a 3).
    past = pd.Series(x, index=index).rolling(res.window, closed="left")
    discrete = (seen["distinct"].to_numpy() <= cfg.max_states) & (
        seen["size"].to_numpy() >= DISCRETE_MIN_OBS
    )
    new_state = discrete & ((x > past.max().to_numpy()) | (x < past.min().to_numpy()))
    p_value = np.where(new_state, np.fmin(p_value, 1 / (seen["size"].to_numpy() + 1)), p_value)
    iqr = q3 - q1
    outside = (resid < q1 - cfg.iqr_k * iqr) | (resid > q3 + cfg.iqr_k * iqr)
    flag = eligible & (((p_value <= alpha) & outside & ~known) | new_state)
    score = np.where(share > 0, np.minimum(1 - p_value, 1 - share), 1 - p_value)
    # The change-point and ML detectors need residuals and a scale that do not jump when the
    # choice above flips: the seasonal expectation when seasonality is present, else trailing.
    seasonal_present = usable("seasonal") & (
        stats["seasonal"]["scale"].to_numpy() <= 0.90 * stats["trailing"]["scale"].to_numpy()
    )
    reference = np.where(seasonal_present, x - seasonal, x - trailing)
    ref_scale = np.where(seasonal_present, stats["seasonal"]["scale"], stats["trailing"]["scale"])
    trailing_scale = np.fmax(np.nan_to_num(stats["trailing"]["scale"].to_numpy()), eps)
    return pd.DataFrame(
        {
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
        },
        index=index,
    )
