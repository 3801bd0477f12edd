"""The consensus vote, episodes and the refractory period: from per-detector flags to alarms.

A detector's flag counts as a vote for ``vote_window_rows`` rows (detectors react at different
delays: the baseline at the first outlying row, the CUSUM a few rows into a shift). A row is in
an anomalous state when at least ``consensus`` detectors vote. Only the first row of such an
episode raises ``is_anomaly`` (rows in anomalous state less than a vote window apart are one
episode), and not within ``refractory_rows`` of the previous alarm: one event, one alarm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEVERITY_Z = ((10.0, "high"), (5.0, "medium"), (0.0, "low"))


def recent_max(values: np.ndarray, rows: int) -> np.ndarray:
    """Max over the last ``rows`` rows including this one (NaN-safe, past only)."""
    series = pd.Series(values, dtype=float)
    return series.rolling(rows, min_periods=1).max().to_numpy()


def vote(
    flags: dict[str, np.ndarray], scores: dict[str, np.ndarray], consensus: int, rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Detectors agreeing per row, and the consensus score (k-th largest recent score)."""
    recent_flags = np.column_stack([recent_max(f.astype(float), rows) for f in flags.values()])
    agreeing = np.nan_to_num(recent_flags).astype(int).sum(axis=1)
    recent_scores = np.column_stack([recent_max(s, rows) for s in scores.values()])
    ranked = -np.sort(-np.nan_to_num(recent_scores, nan=0.0), axis=1)
    k = min(consensus, ranked.shape[1])
    return agreeing, ranked[:, k - 1]


def episodes(state: np.ndarray, gap_rows: int, refractory_rows: int) -> np.ndarray:
    """True on the first row of each anomalous episode that is out of the refractory period."""
    alarm = np.zeros(len(state), dtype=bool)
    last_state = last_alarm = -(10**12)
    for t in np.flatnonzero(state):
        if t - last_state > gap_rows and t - last_alarm > refractory_rows:
            alarm[t] = True
            last_alarm = t
        last_state = t
    return alarm


def severity(z: np.ndarray, state: np.ndarray) -> np.ndarray:
    """low / medium / high by the robust z (|z| < 5, < 10, >= 10) on anomalous rows."""
    out = np.full(len(z), "", dtype=object)
    magnitude = np.abs(np.nan_to_num(z))
    for bound, label in SEVERITY_Z:
        out[state & (out == "") & (magnitude >= bound)] = label
    return out
