"""The warehouse's sampling-noise gate for rates (kpi_anomalies_daily): a rate's move within
its binomial sampling noise is not an alarm (docs/anomalies.md, `sampling_noise_p`).

Library code rather than the dbt Python model's own, so the model stays small and the gate is
tested like the detectors. The consensus levels are recomputed from the gated flags with the
library's own rule (kpi_trust.anomaly.consensus), so anomaly_metrics compares the levels in one
build.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The consensus levels every build computes side by side (1 sensitive, 2 balanced, 3 strict).
LEVELS = (1, 2, 3)


def sampling_noise_p(
    rows: pd.DataFrame, numerator: str, denominator: str, window_days: int
) -> np.ndarray:
    """Two-sided binomial p-value of each day's numerator given its denominator and the rate
    pooled over the previous `window_days` days (past only): how likely sampling noise alone
    moves the rate that far. The pooled rate is the Jeffreys estimate (k + 1/2) / (n + 1): a
    rate never seen in a small slice's past (0 timeouts in 300 calls) is not known to be 0, and
    with the raw 0 one timeout would be impossible (p = 0) instead of likely. NaN where the
    counts are not whole numbers or there is no past."""
    from scipy.stats import binom

    k = rows[numerator].to_numpy(dtype=float)
    n = rows[denominator].to_numpy(dtype=float)
    past = (
        pd.DataFrame({"k": k, "n": n}, index=pd.DatetimeIndex(rows["kpi_date"]))
        .rolling(f"{window_days}D", closed="left")
        .sum()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(
            past["n"].to_numpy() > 0, ((past["k"] + 0.5) / (past["n"] + 1)).to_numpy(), np.nan
        )
    counts = (k == np.round(k)) & (n == np.round(n)) & (n > 0) & (k >= 0) & (k <= n)
    valid = counts & (rate >= 0) & (rate <= 1)
    p_value = np.full(len(k), np.nan)
    if valid.any():
        kv, nv, rv = k[valid], n[valid], rate[valid]
        tails = np.minimum(binom.cdf(kv, nv, rv), binom.sf(kv - 1, nv, rv))
        p_value[valid] = np.minimum(1.0, 2 * tails)
    return p_value


def _eligible(status: np.ndarray) -> np.ndarray:
    """Rows the detectors scored (neither too little history nor a missing value)."""
    return (status != "insufficient_history") & (status != "missing_value")


def consensus_by_level(scored, config) -> dict:
    """(state, alarm) each consensus level (1, 2, 3) gives from the detector flags and scores
    (kpi_trust.anomaly.consensus: the library's own rule; a level is capped at the series'
    detector count), so anomaly_metrics compares the levels in one build. ``scored``: one
    series' detect_series frame or detect_columns mapping."""
    from kpi_trust.anomaly.config import resolve
    from kpi_trust.anomaly.consensus import agreeing_votes, consensus_state, episodes

    names = ("seasonal", "changepoint", *config.ml_detectors)
    flags = {name: np.asarray(scored[f"flag_{name}"]) for name in names}
    scores = {name: np.asarray(scored[f"score_{name}"]) for name in names}
    eligible = _eligible(np.asarray(scored["status"]))
    none = np.zeros(len(eligible), dtype=bool)
    if not eligible.any():
        return {level: (none, none) for level in LEVELS}
    refractory = resolve(config, pd.DatetimeIndex(scored["timestamp"])).refractory_rows
    agreeing = agreeing_votes(flags, config.vote_window_rows)
    out = {}
    for level in LEVELS:
        state, _ = consensus_state(
            flags, scores, eligible, min(level, len(names)), config, agreeing=agreeing
        )
        out[level] = (state, episodes(state, config.vote_window_rows, refractory))
    return out


def gate_sampling_noise(out, p_value: np.ndarray, config) -> dict:
    """Drop the detectors' flags on days a rate's move is within its sampling noise (binomial
    p-value above the seasonal detector's per-day level, config.alpha), then rebuild the alarm,
    status, direction and severity from the remaining flags as detect_series does. ``out``:
    one series' detect_series frame or detect_columns mapping, updated in place."""
    from kpi_trust.anomaly.consensus import alarm_columns

    noise = np.nan_to_num(p_value, nan=0.0) > config.alpha
    out["is_sampling_noise"] = noise
    for name in ("seasonal", "changepoint", *config.ml_detectors):
        out[f"flag_{name}"] = np.asarray(out[f"flag_{name}"]) & ~noise
    levels = consensus_by_level(out, config)
    state, alarm = levels[min(config.consensus, len(LEVELS))]
    status = np.asarray(out["status"])
    out["is_anomaly"] = alarm
    for column, values in alarm_columns(
        state, alarm, _eligible(status), status == "missing_value", np.asarray(out["z"])
    ).items():
        out[column] = values
    return levels
