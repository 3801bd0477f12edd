"""Precision, recall and detection delay of the anomaly detectors on labelled synthetic series.

The series are made here (not by the project's generator): daily KPIs with a weekly pattern and
5-minute metrics with a daily cycle, each with one injected event (spike, level shift, drift,
a new level in a quantised two-level signal, a stuck/flat-lined metric), plus noise-only series
for false alarms. An event counts as detected when an alarm (``is_anomaly``) falls in its
window (daily: 7 rows, 5-minute: 48 rows = 4 hours, drifts: their 40-row ramp, from the first
anomalous row); every alarm
outside a window is a false positive. Each detector is scored alone (its own flags through the
same episode / refractory logic) and then the consensus levels 1, 2 and 3.

    PYTHONPATH=scripts python bench/detect_eval.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from kpi_trust.anomaly import DetectConfig, detect_series
from kpi_trust.anomaly.config import resolve
from kpi_trust.anomaly.consensus import consensus_state, episodes

EVENTS = ("spike", "level_shift", "drift", "two_level", "flatline")
GRAINS = {"daily": (400, pd.Timedelta(days=1), 7), "5min": (288 * 14, pd.Timedelta(minutes=5), 48)}


@dataclass
class Case:
    grain: str
    event: str  # or "none"
    seed: int
    timestamps: pd.DatetimeIndex
    values: np.ndarray
    start: int  # first anomalous row, -1 without an event
    window: int


def make_case(grain: str, event: str, seed: int) -> Case:
    """One labelled series; the event starts at a random row in the last 45 %."""
    rng = np.random.default_rng(seed * 100 + EVENTS.index(event) if event in EVENTS else seed)
    n, step, window = GRAINS[grain]
    ts = pd.date_range("2025-01-06", periods=n, freq=step)
    if grain == "daily":
        shape = np.array([1.0, 1.04, 1.08, 1.06, 1.0, 0.75, 0.7])[ts.day_of_week]
        sigma = 25.0
        clean = 1000 * shape * (1 + 0.0003 * np.arange(n)) + rng.normal(0, sigma, n)
    else:
        minutes = np.asarray(ts.hour * 60 + ts.minute)
        cycle = np.sin(2 * np.pi * minutes / 1440)
        # AR(1) noise: real machine metrics are autocorrelated.
        noise = np.zeros(n)
        shocks = rng.normal(0, 1.0, n)
        for i in range(1, n):
            noise[i] = 0.5 * noise[i - 1] + shocks[i]
        sigma = float(np.std(noise))
        clean = 40 + 12 * cycle + noise
    start = int(rng.integers(int(0.55 * n), int(0.9 * n))) if event != "none" else -1
    x = clean.copy()
    sign = rng.choice([-1, 1])
    if event == "spike":
        x[start] += sign * rng.uniform(6, 10) * sigma
    elif event == "level_shift":
        x[start:] += sign * rng.uniform(3, 5) * sigma
    elif event == "drift":
        ramp = np.minimum(np.arange(n - start), 40) / 40
        x[start:] += sign * 6 * sigma * ramp
    elif event == "two_level":
        # A quantised on/off signal (e.g. replicas up): levels 0 and 1; the event is level 3.
        state = np.zeros(n)
        for i in range(1, n):
            flip = rng.random() < 0.05
            state[i] = 1 - state[i - 1] if flip else state[i - 1]
        x = state.copy()
        x[start : start + 3] = 3.0
    elif event == "flatline":
        x[start : start + 3 * window] = x[start - 1]
    # A drift is only visible as it grows: its window is the 40-row ramp.
    window = max(window, 40) if event == "drift" else window
    return Case(grain, event, seed, ts, x, start, window)


def alarms_from_flags(flags, scores, eligible, consensus, cfg, refractory):
    """The library's alarms at another consensus level (or for one detector alone)."""
    state, _ = consensus_state(flags, scores, eligible, consensus, cfg)
    return episodes(state, cfg.vote_window_rows, refractory)


def evaluate(seeds: int, config: DetectConfig) -> tuple[pd.DataFrame, float]:
    rows = []
    started = time.perf_counter()
    names = ("seasonal", "changepoint", *config.ml_detectors)
    for grain in GRAINS:
        for event in (*EVENTS, "none"):
            for seed in range(seeds):
                case = make_case(grain, event, seed)
                out = detect_series(case.timestamps, case.values, config)
                res = resolve(config, case.timestamps)
                eligible = out["status"].isin(["normal", "anomaly", "ongoing"]).to_numpy()
                flags = {n: out[f"flag_{n}"].to_numpy() for n in names}
                scores = {n: out[f"score_{n}"].to_numpy() for n in names}
                refractory = res.refractory_rows
                variants = {
                    n: alarms_from_flags(
                        {n: flags[n]}, {n: scores[n]}, eligible, 1, config, refractory
                    )
                    for n in names
                }
                for level in (1, 2, 3):
                    variants[f"consensus_{level}"] = alarms_from_flags(
                        flags, scores, eligible, level, config, refractory
                    )
                for variant, alarm in variants.items():
                    rows.append(score_case(case, variant, np.flatnonzero(alarm)))
    return pd.DataFrame(rows), time.perf_counter() - started


def score_case(case: Case, variant: str, alarms: np.ndarray) -> dict:
    n = len(case.values)
    inside = (
        (alarms >= case.start) & (alarms < case.start + case.window)
        if case.start >= 0
        else (np.zeros(len(alarms), dtype=bool))
    )
    return {
        "grain": case.grain,
        "event": case.event,
        "variant": variant,
        "detected": bool(inside.any()) if case.start >= 0 else np.nan,
        "delay": float(alarms[inside][0] - case.start) if inside.any() else np.nan,
        "false_positives": int((~inside).sum()),
        "rows": n,
    }


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    def one(group: pd.DataFrame) -> pd.Series:
        events = group[group["event"] != "none"]
        noise = group[group["event"] == "none"]
        tp = int(events["detected"].sum())
        fp = int(group["false_positives"].sum())
        return pd.Series(
            {
                "precision": tp / (tp + fp) if tp + fp else np.nan,
                "recall": tp / len(events) if len(events) else np.nan,
                "delay_rows": events["delay"].mean(),
                "fp_per_1000_noise_rows": 1000
                * noise["false_positives"].sum()
                / max(noise["rows"].sum(), 1),
            }
        )

    return results.groupby(["grain", "variant"], sort=False).apply(one, include_groups=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--ocsvm", action="store_true", help="add the OneClassSVM detector")
    parser.add_argument(
        "--no-strong-evidence",
        action="store_true",
        help="consensus by votes only (no single detector at p <= alpha ** consensus)",
    )
    args = parser.parse_args()
    ml = ("iforest", "lof", "ocsvm") if args.ocsvm else ("iforest", "lof")
    config = DetectConfig(ml_detectors=ml, strong_evidence=not args.no_strong_evidence)
    results, seconds = evaluate(args.seeds, config)
    pd.set_option("display.width", 160)
    print(f"{args.seeds} seeds x {len(EVENTS)} events + noise-only, per grain ({seconds:.0f} s)")
    print(summarise(results).round(3).to_string())
    recall = results[results["event"] != "none"].pivot_table(
        index=["grain", "event"], columns="variant", values="detected", aggfunc="mean"
    )
    print("\nRecall per event type")
    print(recall.round(2).to_string())


if __name__ == "__main__":
    main()
