"""Parameters of the detectors, their defaults, and the grain (step, season) they depend on.

Every default is stated with its basis in docs/anomalies.md. Values left as ``None`` are derived
from the series' grain by :func:`resolve`, so one config serves daily KPIs and 5-minute metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import norm as stats_norm

DAY = pd.Timedelta(days=1)
WEEK = pd.Timedelta(days=7)
ML_DETECTORS = ("iforest", "lof", "ocsvm")


@dataclass(frozen=True)
class DetectConfig:
    """What a caller may tune; ``None`` means "derive from the grain" (see :func:`resolve`).

    consensus: detectors that must agree for an anomaly (1 sensitive, 2 balanced, 3 strict).
    step / season: the sampling step and the seasonal period; ``season="auto"`` takes 7 days
        for daily data and 1 day for sub-daily data, ``season=None`` turns seasonality off.
    """

    consensus: int = 2
    step: pd.Timedelta | None = None
    season: pd.Timedelta | str | None = "auto"
    # Seasonal baseline: same phase over this many trailing periods, used from 3 periods on.
    season_periods: int = 8
    min_season_periods: int = 3
    # Slots either side of the phase pooled into it, as a share of the season (30 min of a day).
    phase_tolerance: float = 1 / 48
    window: pd.Timedelta | None = None  # trailing window: 56 steps, at least 1 day
    recent_rows: int = 12  # short baseline: median of the last 12 observations
    min_history: int = 20  # observations before a row can be scored at all
    min_samples: int = 10  # residuals needed for a scale
    z_threshold: float = 3.5  # robust z: two-sided P = 4.7e-4 under normal noise
    iqr_k: float = 1.5  # Tukey fence on the residual quartiles, required as well
    known_state_share: float = 0.01  # a value seen this often (and twice) is a known state
    max_states: int = 5  # at most this many distinct values (in >= 50 rows) = a discrete signal
    # Change points: two-sided CUSUM in units of the long-run noise scale.
    cusum_k: float = 0.5
    cusum_h: float = 8.0
    cusum_clip: float = 4.0  # one point adds at most clip - k: a lone spike is not a shift
    # ML detectors on engineered features, refitted on trailing rows only.
    ml_detectors: tuple[str, ...] = ("iforest", "lof")
    ml_alarm_rate: float = 0.001
    ml_window_rows: int = 1000
    ml_min_train: int = 60
    ml_refit_every: int | None = None  # rows: one season, clamped to 28..288; else 28
    ml_short_rows: int = 6
    vote_window_rows: int = 3  # a detector's flag counts for this many rows
    # One detector at p <= alpha ** consensus stands for the vote (consensus.strong_evidence).
    strong_evidence: bool = True
    refractory_rows: int | None = None  # rows: a quarter season, clamped to 7..72; else 24
    random_state: int = 0

    @property
    def alpha(self) -> float:
        """The seasonal detector's per-row two-sided false-alarm level under normal noise."""
        return float(2 * stats_norm.sf(self.z_threshold))

    def __post_init__(self) -> None:
        if self.consensus not in (1, 2, 3):
            raise ValueError(f"consensus must be 1, 2 or 3, not {self.consensus!r}")
        unknown = set(self.ml_detectors) - set(ML_DETECTORS)
        if unknown:
            raise ValueError(f"unknown ML detectors {sorted(unknown)}; known: {ML_DETECTORS}")


@dataclass(frozen=True)
class Resolved:
    """A config with every grain-dependent value filled in (rows are counts of rows)."""

    cfg: DetectConfig
    step: pd.Timedelta
    season: pd.Timedelta | None
    period_steps: int  # season / step, 0 without a season
    phase_slots: int  # slots pooled either side of the phase
    window: pd.Timedelta
    window_rows: int
    ml_refit_every: int
    refractory_rows: int


def infer_step(timestamps: pd.DatetimeIndex, sample: int = 21) -> pd.Timedelta:
    """The sampling step: the median gap between the first ``sample`` distinct timestamps.

    Only the first ``min_history + 1`` timestamps are used (rows that are never scored), so
    deleting or changing later rows cannot change the grain of scored ones (the no-look-ahead
    rule). Gaps (missing rows) do not matter while most of those first rows are one step apart;
    pass ``DetectConfig(step=...)`` when they are not.
    """
    head = pd.DatetimeIndex(timestamps).unique().sort_values()[:sample]
    gaps = np.diff(head.as_unit("ns").asi8)
    gaps = gaps[gaps > 0]
    if gaps.size == 0:
        raise ValueError("need at least two distinct timestamps to infer the step")
    return pd.Timedelta(int(np.median(gaps)), unit="ns")


def default_season(step: pd.Timedelta) -> pd.Timedelta | None:
    """Daily data (step 20 h - 28 h) has a weekly season; sub-daily data a daily one."""
    if pd.Timedelta(hours=20) <= step <= pd.Timedelta(hours=28):
        return WEEK
    if step < pd.Timedelta(hours=20):
        return DAY
    return None


def _season_rows(period_steps: int, low: int, fallback: int, high: int = 288) -> int:
    return int(np.clip(period_steps, low, high)) if period_steps else fallback


def resolve(cfg: DetectConfig, timestamps: pd.DatetimeIndex) -> Resolved:
    """Fill in the grain-dependent defaults for one series."""
    step = cfg.step if cfg.step is not None else infer_step(timestamps, cfg.min_history + 1)
    if step <= pd.Timedelta(0):
        raise ValueError(f"step must be positive, not {step}")
    season = default_season(step) if isinstance(cfg.season, str) else cfg.season
    period_steps = int(round(season / step)) if season is not None else 0
    if period_steps < 2:
        season, period_steps = None, 0
    phase_slots = int(np.floor(cfg.phase_tolerance * period_steps)) if period_steps else 0
    phase_slots = min(phase_slots, max(0, (period_steps - 1) // 2))
    window = cfg.window or max(56 * step, DAY)
    window_rows = max(1, int(round(window / step)))
    return Resolved(
        cfg=cfg,
        step=step,
        season=season,
        period_steps=period_steps,
        phase_slots=phase_slots,
        window=window,
        window_rows=window_rows,
        ml_refit_every=cfg.ml_refit_every or _season_rows(period_steps, 28, 28),
        refractory_rows=cfg.refractory_rows or _season_rows(period_steps // 4, 7, 24, high=72),
    )


def with_consensus(cfg: DetectConfig, consensus: int) -> DetectConfig:
    """The same config at another consensus level."""
    return replace(cfg, consensus=consensus)
