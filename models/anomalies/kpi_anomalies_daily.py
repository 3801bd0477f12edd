"""Anomaly scores for every KPI series of kpi_daily, on both the adjusted and the reported value.

Why a dbt Python model: the detectors (kpi_trust.anomaly.detect_series) are engine-independent
Python shared with `kpi-trust detect`; dbt-duckdb runs this function in dbt's process, so the
scores are built in the same `dbt build` as the KPIs they score. One series = kpi_name x
dimension_name x dimension_value x value_basis ('adjusted' = `value`, 'reported' =
`value_reported`); each row's output uses only that day and earlier days (no look-ahead).

Cost: the default dataset has 968 series; detect_series takes ~10-20 ms per 90-day series without
the ML detectors, about twice that with them. The ML detectors need 60 scored training rows, so on a
90-day history they score only its last few days; they run on the series of var
`anomaly_ml_scope` (default 'totals': dimension_value 'all') and the others get the seasonal
baseline and the CUSUM only (their score_/flag_iforest and _lof are null / false). The consensus
of a series is capped at its number of detectors (docs/anomalies.md, "Warehouse models").
"""

import hashlib

import numpy as np
import pandas as pd

KEYS = ["kpi_name", "dataset", "dimension_name", "dimension_value", "unit"]
BASES = {"adjusted": "value", "reported": "value_reported"}
ML = ("iforest", "lof")
DETECTORS = ("seasonal", "changepoint", *ML)
LEVELS = (1, 2, 3)
SAME_BASES = (
    ("value", "value_reported"),
    ("numerator", "numerator_reported"),
    ("denominator", "denominator_reported"),
)
# Days of pooled history for a rate's sampling-noise test: the detectors' trailing window.
NOISE_WINDOW_DAYS = 56
# The library's severity (robust |z| < 5, < 10, >= 10) in the warehouse's words.
SEVERITY = {"low": "info", "medium": "warning", "high": "critical"}


def detect_config(dbt, with_ml):
    """DetectConfig from the vars (passed as model config in _anomalies__models.yml)."""
    from kpi_trust.anomaly import DetectConfig

    season_days = int(dbt.config.get("anomaly_season_days"))
    consensus = int(dbt.config.get("anomaly_consensus"))
    detectors = ML if with_ml else ()
    return DetectConfig(
        consensus=min(consensus, 2 + len(detectors)),
        season=pd.Timedelta(days=season_days) if season_days > 0 else None,
        step=pd.Timedelta(days=1),
        min_history=int(dbt.config.get("anomaly_min_history")),
        z_threshold=float(dbt.config.get("anomaly_z_threshold")),
        cusum_h=float(dbt.config.get("anomaly_cusum_h")),
        ml_detectors=detectors,
    )


def sampling_noise_p(rows, numerator, denominator, window_days):
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


def consensus_by_level(scored, config):
    """(state, alarm) each consensus level (1, 2, 3) gives from the detector flags and scores
    (kpi_trust.anomaly.consensus: the library's own rule; a level is capped at the series'
    detector count), so anomaly_metrics compares the levels in one build."""
    from kpi_trust.anomaly.config import resolve
    from kpi_trust.anomaly.consensus import consensus_state, episodes

    names = ("seasonal", "changepoint", *config.ml_detectors)
    flags = {name: scored[f"flag_{name}"].to_numpy() for name in names}
    scores = {name: scored[f"score_{name}"].to_numpy() for name in names}
    eligible = ~scored["status"].isin(["insufficient_history", "missing_value"]).to_numpy()
    none = np.zeros(len(scored), dtype=bool)
    if not eligible.any():
        return {level: (none, none) for level in LEVELS}
    refractory = resolve(config, pd.DatetimeIndex(scored["timestamp"])).refractory_rows
    out = {}
    for level in LEVELS:
        state, _ = consensus_state(flags, scores, eligible, min(level, len(names)), config)
        out[level] = (state, episodes(state, config.vote_window_rows, refractory))
    return out


def gate_sampling_noise(out, p_value, config):
    """Drop the detectors' flags on days a rate's move is within its sampling noise (binomial
    p-value above the seasonal detector's per-day level, config.alpha), then rebuild the alarm,
    status, direction and severity from the remaining flags as detect_series does."""
    from kpi_trust.anomaly.consensus import alarm_columns

    noise = np.nan_to_num(p_value, nan=0.0) > config.alpha
    out["is_sampling_noise"] = noise
    for name in ("seasonal", "changepoint", *config.ml_detectors):
        out[f"flag_{name}"] = out[f"flag_{name}"].to_numpy() & ~noise
    levels = consensus_by_level(out, config)
    state, alarm = levels[min(config.consensus, len(LEVELS))]
    eligible = ~out["status"].isin(["insufficient_history", "missing_value"]).to_numpy()
    missing = (out["status"] == "missing_value").to_numpy()
    out["is_anomaly"] = alarm
    for column, values in alarm_columns(
        state, alarm, eligible, missing, out["z"].to_numpy()
    ).items():
        out[column] = values
    return levels


def score_slice(rows, config, window_days):
    """Both bases of one KPI series; the reported one is a copy when it equals the adjusted one
    on every day (the detectors are deterministic: same input, same output). A rate (unit
    'ratio' with whole-number numerator and denominator) is gated by its sampling noise."""
    from kpi_trust.anomaly import detect_series

    is_rate = rows["unit"].iloc[0] == "ratio"

    def scored(value, numerator, denominator):
        out = detect_series(rows["kpi_date"], rows[value], config)
        p_value = (
            sampling_noise_p(rows, numerator, denominator, window_days)
            if is_rate
            else np.full(len(out), np.nan)
        )
        for level, (_, alarm) in gate_sampling_noise(out, p_value, config).items():
            out[f"alarm_consensus_{level}"] = alarm
        return out

    adjusted = scored("value", "numerator", "denominator")
    same = all(rows[a].equals(rows[b]) for a, b in SAME_BASES)
    if same:
        return {"adjusted": adjusted, "reported": adjusted}
    reported = scored("value_reported", "numerator_reported", "denominator_reported")
    return {"adjusted": adjusted, "reported": reported}


def score_all(kpis, configs, ml_scope):
    """Every series scored; key columns added once per basis (not per series: it is slow)."""
    frames, keys = [], []
    for key, rows in kpis.groupby(KEYS, sort=True, dropna=False):
        with_ml = ml_scope == "all" or (ml_scope == "totals" and key[3] == "all")
        for basis, scored in score_slice(rows, configs[with_ml], NOISE_WINDOW_DAYS).items():
            frames.append(scored)
            keys.append((*key, basis, 4 if with_ml else 2, len(scored)))
    # Series scored without the ML detectors lack their columns: null scores, false flags.
    out = pd.concat(frames, ignore_index=True)
    for detector in DETECTORS:
        if f"score_{detector}" not in out:
            out[f"score_{detector}"] = np.nan
        out[f"flag_{detector}"] = out.get(f"flag_{detector}", False)
        out[f"flag_{detector}"] = out[f"flag_{detector}"].fillna(False).astype(bool)
    lengths = [key[-1] for key in keys]
    for position, name in enumerate([*KEYS, "value_basis", "n_detectors"]):
        out[name] = np.repeat([key[position] for key in keys], lengths)
    return out


def anomaly_id(frame):
    """md5 of the primary key, as the SQL models' dbt.hash would write it."""
    keys = (
        frame["kpi_name"]
        + "|"
        + frame["dimension_name"]
        + "|"
        + frame["dimension_value"]
        + "|"
        + frame["value_basis"]
        + "|"
        + frame["kpi_date"].astype(str)
    )
    return [hashlib.md5(key.encode()).hexdigest() for key in keys]


def model(dbt, session):
    """Score every kpi_daily series on both bases; one row per series x day."""
    ml_scope = str(dbt.config.get("anomaly_ml_scope"))
    if ml_scope not in ("all", "totals", "none"):
        raise ValueError(f"var anomaly_ml_scope must be all, totals or none, not {ml_scope!r}")
    configs = {with_ml: detect_config(dbt, with_ml) for with_ml in (False, True)}

    kpis = dbt.ref("kpi_daily").df()
    kpis["kpi_date"] = pd.to_datetime(kpis["kpi_date"])
    kpis = kpis.sort_values([*KEYS, "kpi_date"])
    scored = score_all(kpis, configs, ml_scope).rename(columns={"timestamp": "kpi_date"})
    scored["kpi_date"] = scored["kpi_date"].dt.date
    scored["severity"] = scored["severity"].map(SEVERITY)
    for column in ("direction", "baseline"):
        scored[column] = scored[column].replace("", None)
    scored.insert(0, "kpi_anomaly_id", anomaly_id(scored))
    columns = [
        "kpi_anomaly_id",
        *KEYS,
        "value_basis",
        "status",
        "direction",
        "severity",
        "baseline",
        "value",
        "expected",
        "lower",
        "upper",
        "z",
        "score",
        *[f"score_{detector}" for detector in DETECTORS],
        "detectors_agreeing",
        "n_detectors",
        "is_anomaly",
        *[f"flag_{detector}" for detector in DETECTORS],
        *[f"alarm_consensus_{level}" for level in LEVELS],
        "is_sampling_noise",
        "kpi_date",
    ]
    return scored[columns]
