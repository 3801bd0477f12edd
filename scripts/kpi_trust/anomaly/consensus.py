"""The consensus vote, episodes and the refractory period: from per-detector flags to alarms.

A detector's flag counts as a vote for ``vote_window_rows`` rows (detectors react at different
delays: the baseline at the first outlying row, the CUSUM a few rows into a shift). A row is in
an anomalous state when at least ``consensus`` detectors vote. Only the first row of such an
episode raises ``is_anomaly`` (rows in anomalous state less than a vote window apart are one
episode), and not within ``refractory_rows`` of the previous alarm: one event, one alarm.
"""

from __future__ import annotations

import numpy as np

SEVERITY_Z = ((10.0, "high"), (5.0, "medium"), (0.0, "low"))


def recent_max(values: np.ndarray, rows: int) -> np.ndarray:
    """Max over the last ``rows`` rows including this one (NaN-safe, past only): NaN only when
    all of them are NaN, as pandas' ``rolling(rows, min_periods=1).max()`` (numpy: cheaper for
    short series)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return values
    padded = np.concatenate([np.full(rows - 1, np.nan), values])
    return np.fmax.reduce(np.lib.stride_tricks.sliding_window_view(padded, rows), axis=1)


def agreeing_votes(flags: dict[str, np.ndarray], rows: int) -> np.ndarray:
    """Detectors whose flag fell within the last ``rows`` rows, per row."""
    recent_flags = np.column_stack([recent_max(f.astype(float), rows) for f in flags.values()])
    return np.nan_to_num(recent_flags).astype(int).sum(axis=1)


def vote(
    flags: dict[str, np.ndarray], scores: dict[str, np.ndarray], consensus: int, rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Detectors agreeing per row, and the consensus score (k-th largest recent score)."""
    agreeing = agreeing_votes(flags, rows)
    recent_scores = np.column_stack([recent_max(s, rows) for s in scores.values()])
    ranked = -np.sort(-np.nan_to_num(recent_scores, nan=0.0), axis=1)
    k = min(consensus, ranked.shape[1])
    return agreeing, ranked[:, k - 1]


def strong_evidence(
    flags: dict[str, np.ndarray], scores: dict[str, np.ndarray], p_strong: float, rows: int
) -> np.ndarray:
    """Rows where the seasonal detector's own flag comes with a p-value (1 - score) of at most
    ``p_strong`` within the vote window.

    Why: the vote exists to keep false alarms down. Two detectors that each flag at level alpha
    agree by chance with probability about alpha ** 2 (if independent); one detector at
    p <= alpha ** 2 is as unlikely under noise. So evidence that strong stands for the vote.
    It lets a one-row move (a spike, a one-day outage) alarm at consensus 2, where the
    change-point detector, built for shifts that persist, cannot agree by design.

    Only the seasonal detector's score is an analytic tail probability (Student's t) that is
    meaningful that far out. The ML scores are ranks among at most ``ml_window_rows`` training
    rows (a row beyond all of them scores 1: its p-value is only known to be below
    1 / (n + 1)), and the CUSUM restarts at h, so its tail probability never gets that small.
    """
    if "seasonal" not in flags:
        return np.zeros(len(next(iter(flags.values()))), dtype=bool)
    p_value = 1.0 - np.nan_to_num(scores["seasonal"], nan=0.0)
    hit = (flags["seasonal"] & (p_value <= p_strong)).astype(float)
    return recent_max(hit, rows) > 0


def consensus_state(
    flags: dict[str, np.ndarray],
    scores: dict[str, np.ndarray],
    eligible: np.ndarray,
    consensus: int,
    cfg,
    agreeing: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows in anomalous state at a consensus level, and the detectors agreeing per row:
    ``consensus`` detectors vote, or one brings evidence of p <= alpha ** consensus.
    ``agreeing``: agreeing_votes(flags, cfg.vote_window_rows) when the caller has it already
    (it does not depend on the level)."""
    if agreeing is None:
        agreeing = agreeing_votes(flags, cfg.vote_window_rows)
    state = eligible & (agreeing >= consensus)
    if cfg.strong_evidence:
        strong = strong_evidence(flags, scores, cfg.alpha**consensus, cfg.vote_window_rows)
        state |= eligible & strong
    return state, agreeing


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


def alarm_columns(
    state: np.ndarray, alarm: np.ndarray, eligible: np.ndarray, missing: np.ndarray, z: np.ndarray
) -> dict[str, np.ndarray]:
    """status, direction and severity of each row from its anomalous state and alarm: the one
    rule detect_series and the warehouse's sampling-noise gate both apply."""
    status = np.where(alarm, "anomaly", np.where(state, "ongoing", "normal"))
    status = np.where(eligible, status, "insufficient_history")
    return {
        "status": np.where(missing, "missing_value", status),
        "direction": np.where(state, np.where(z >= 0, "up", "down"), ""),
        "severity": severity(z, state),
    }


def severity(z: np.ndarray, state: np.ndarray) -> np.ndarray:
    """low / medium / high by the robust z (|z| < 5, < 10, >= 10) on anomalous rows."""
    out = np.full(len(z), "", dtype=object)
    magnitude = np.abs(np.nan_to_num(z))
    for bound, label in SEVERITY_Z:
        out[state & (out == "") & (magnitude >= bound)] = label
    return out
