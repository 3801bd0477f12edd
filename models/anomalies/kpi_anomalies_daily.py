"""Anomaly scores for every KPI series of kpi_daily, on both the adjusted and the reported value.

Why a dbt Python model: the detectors (kpi_trust.anomaly.detect_series) are engine-independent
Python shared with `kpi-trust detect`; dbt-duckdb runs this function in dbt's process, so the
scores are built in the same `dbt build` as the KPIs they score. One series = kpi_name x
dimension_name x dimension_value x value_basis ('adjusted' = `value`, 'reported' =
`value_reported`); each row's output uses only that day and earlier days (no look-ahead).

Cost: the default dataset has 968 series; scoring them all takes ~6.5 CPU s whatever the rows
per log (~7 ms per 90-day series; 10.2-10.9 s when each series was a DataFrame, measured on the
10 k, 1 M and 10 M benchmark warehouses with identical output). The ML detectors need 60 scored
training rows, so on a 90-day history they score only its last few days; they run on the series of var
`anomaly_ml_scope` (default 'totals': dimension_value 'all') and the others get the seasonal
baseline and the CUSUM only (their score_/flag_iforest and _lof are null / false). The consensus
of a series is capped at its number of detectors (docs/anomalies.md, "Warehouse models").
"""

import hashlib

import numpy as np
import pandas as pd
from kpi_trust.anomaly.sampling import LEVELS, gate_sampling_noise, sampling_noise_p

KEYS = ["kpi_name", "dataset", "dimension_name", "dimension_value", "unit"]
BASES = {"adjusted": "value", "reported": "value_reported"}
ML = ("iforest", "lof")
DETECTORS = ("seasonal", "changepoint", *ML)
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


def score_slice(rows, config, window_days):
    """Both bases of one KPI series; the reported one is a copy when it equals the adjusted one
    on every day (the detectors are deterministic: same input, same output). A rate (unit
    'ratio' with whole-number numerator and denominator) is gated by its sampling noise."""
    from kpi_trust.anomaly import detect_columns

    is_rate = rows["unit"].iloc[0] == "ratio"

    def scored(value, numerator, denominator):
        out = detect_columns(rows["kpi_date"], rows[value], config)
        p_value = (
            sampling_noise_p(rows, numerator, denominator, window_days)
            if is_rate
            else np.full(len(out["value"]), np.nan)
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
    """Every series scored, stacked into one frame: each series' columns are numpy arrays
    (kpi_trust.anomaly.detect_columns), joined once per column, and the key columns repeated
    once per basis (a frame per series, or per key column, costs more than the detectors)."""
    scored, keys = [], []
    for key, rows in kpis.groupby(KEYS, sort=True, dropna=False):
        with_ml = ml_scope == "all" or (ml_scope == "totals" and key[3] == "all")
        for basis, columns in score_slice(rows, configs[with_ml], NOISE_WINDOW_DAYS).items():
            scored.append(columns)
            keys.append((*key, basis, 4 if with_ml else 2, len(columns["value"])))
    names = list(dict.fromkeys(name for columns in scored for name in columns))
    # Series scored without the ML detectors lack their columns: null scores, false flags.
    for detector in DETECTORS:
        for column in (f"score_{detector}", f"flag_{detector}"):
            if column not in names:
                names.append(column)
    lengths = [key[-1] for key in keys]

    def stacked(name):
        if name.startswith("flag_"):
            parts = [c.get(name, np.zeros(len(c["value"]), dtype=bool)) for c in scored]
        elif name.startswith("score_"):
            parts = [c.get(name, np.full(len(c["value"]), np.nan)) for c in scored]
        else:
            parts = [c[name] for c in scored]
        return np.concatenate([np.asarray(part) for part in parts]) if parts else np.array([])

    out = pd.DataFrame({name: stacked(name) for name in names})
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
