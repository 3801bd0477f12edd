"""Engine-independent KPI anomaly detectors: one series in, one scored row per timestamp out.

``detect_series(timestamps, values, config)`` is the whole API a caller needs (a dbt Python
model calls it per KPI series; ``kpi-trust detect`` per CSV column). Every row's output uses
only that row's value and earlier rows (streaming-safe): see docs/anomalies.md.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kpi_trust.anomaly.baseline import robust_baseline
from kpi_trust.anomaly.changepoint import cusum, long_run_factor
from kpi_trust.anomaly.config import DetectConfig, Resolved, infer_step, resolve
from kpi_trust.anomaly.consensus import alarm_columns, consensus_state, episodes, vote
from kpi_trust.anomaly.ml import features, ml_detectors

__all__ = [
    "OUTPUT_COLUMNS",
    "DetectConfig",
    "detect_columns",
    "detect_frame",
    "detect_series",
    "infer_step",
]

OUTPUT_COLUMNS = (
    "timestamp",
    "value",
    "expected",
    "lower",
    "upper",
    "score",
    "is_anomaly",
    "detectors_agreeing",
    "status",
    "direction",
    "severity",
    "z",
    "baseline",
)


def detector_names(config: DetectConfig) -> tuple[str, ...]:
    return ("seasonal", "changepoint", *config.ml_detectors)


def _prepare(timestamps, values) -> pd.Series:
    """One float value per distinct timestamp, sorted; duplicates averaged, inf as missing."""
    index = pd.DatetimeIndex(pd.to_datetime(timestamps))
    numbers = pd.to_numeric(pd.Series(np.asarray(values), index=index), errors="raise")
    numbers = numbers.astype(float).replace([np.inf, -np.inf], np.nan)
    numbers = numbers[~numbers.index.isna()]
    if numbers.index.has_duplicates:
        numbers = numbers.groupby(level=0).mean()
    return numbers.sort_index()


def _empty_columns(series: pd.Series, config: DetectConfig, status: np.ndarray) -> dict:
    n = len(series)
    columns = {
        "timestamp": series.index,
        "value": series.to_numpy(),
        "expected": np.full(n, np.nan),
        "lower": np.full(n, np.nan),
        "upper": np.full(n, np.nan),
        "score": np.full(n, np.nan),
        "is_anomaly": np.zeros(n, dtype=bool),
        "detectors_agreeing": np.zeros(n, dtype=int),
        "status": status,
        "direction": np.full(n, ""),
        "severity": np.full(n, ""),
        "z": np.full(n, np.nan),
        "baseline": np.full(n, ""),
    }
    for name in detector_names(config):
        columns[f"score_{name}"] = np.full(n, np.nan)
    for name in detector_names(config):
        columns[f"flag_{name}"] = np.zeros(n, dtype=bool)
    return columns


def _score(series: pd.Series, res: Resolved) -> dict:
    cfg = res.cfg
    index = series.index
    x = series.to_numpy()
    grid = np.rint(np.asarray((index - index[0]) / res.step, dtype=float)).astype(np.int64)
    base = robust_baseline(index, grid, x, res)
    eligible = base["eligible"]
    sigma = base["reference_scale"] * long_run_factor(index, base["reference_resid"], res)
    change = cusum(base["reference_resid"], sigma, eligible, res)
    regime = base["seasonal_present"]
    learned = (
        ml_detectors(features(index, grid, x, base, res), eligible, regime, res)
        if cfg.ml_detectors
        else None  # no ML detector configured: no features to compute
    )
    names = detector_names(cfg)
    parts = {"seasonal": base, "changepoint": change}
    columns_of = {name: parts.get(name, learned) for name in names}
    flags = {n: columns_of[n][f"flag_{n}"] & eligible for n in names}
    scores = {n: columns_of[n][f"score_{n}"] for n in names}
    agreeing, score = vote(flags, scores, cfg.consensus, cfg.vote_window_rows)
    # consensus c: c agreeing detectors, or one at p <= alpha ** c (consensus.strong_evidence)
    state, _ = consensus_state(flags, scores, eligible, cfg.consensus, cfg, agreeing=agreeing)
    alarm = episodes(state, cfg.vote_window_rows, res.refractory_rows)
    z = base["z"]
    described = alarm_columns(state, alarm, eligible, np.isnan(x), z)
    return {
        "timestamp": index,
        "value": x,
        "expected": np.where(eligible, base["expected"], np.nan),
        "lower": np.where(eligible, base["lower"], np.nan),
        "upper": np.where(eligible, base["upper"], np.nan),
        "score": np.where(eligible, score, np.nan),
        "is_anomaly": alarm,
        "detectors_agreeing": np.where(eligible, agreeing, 0),
        "status": described["status"],
        "direction": described["direction"],
        "severity": described["severity"],
        "z": np.where(eligible, z, np.nan),
        "baseline": np.where(eligible, base["baseline"], ""),
        **{f"score_{name}": np.where(eligible, scores[name], np.nan) for name in names},
        **{f"flag_{name}": flags[name] for name in names},
    }


def detect_columns(timestamps, values, config: DetectConfig | None = None) -> dict:
    """``detect_series``'s columns as numpy arrays (name -> array, in output order), without
    building a DataFrame: for callers that score many series and stack them (a frame per
    series costs more than the detectors on a 90-day series)."""
    config = config or DetectConfig()
    series = _prepare(timestamps, values)
    if series.index.nunique() < 2 or series.notna().sum() <= config.min_history:
        status = np.where(series.isna(), "missing_value", "insufficient_history")
        return _empty_columns(series, config, status)
    return _score(series, resolve(config, series.index))


def detect_series(timestamps, values, config: DetectConfig | None = None) -> pd.DataFrame:
    """Score one series: one output row per distinct timestamp, in time order.

    ``timestamps``: anything ``pd.to_datetime`` reads; ``values``: numbers (NaN = missing).
    Returns the columns of ``OUTPUT_COLUMNS`` then ``score_<detector>`` and ``flag_<detector>``
    for seasonal, changepoint and each ML detector. ``status`` is ``insufficient_history``
    (too little or too sparse history: never flagged), ``missing_value``, ``normal``,
    ``anomaly`` (the alarm: first row of an episode, ``is_anomaly`` true) or ``ongoing``.
    """
    return pd.DataFrame(detect_columns(timestamps, values, config))


def detect_frame(
    frame: pd.DataFrame,
    time_column: str,
    value_columns: Iterable[str],
    config: DetectConfig | None = None,
) -> pd.DataFrame:
    """``detect_series`` for each value column of a wide frame, stacked long with ``column``."""
    results = []
    for column in value_columns:
        scored = detect_series(frame[time_column], frame[column], config)
        scored.insert(1, "column", column)
        results.append(scored)
    return pd.concat(results, ignore_index=True)
