"""Detectors (c): IsolationForest, LocalOutlierFactor (and, off by default, OneClassSVM).

They score engineered features of each row (robust level, lag differences, percent change,
short rolling mean and spread, run length of repeated values, seasonal phase), each computed
from the row and earlier rows only. A model is fitted on the trailing ``ml_window_rows``
eligible rows before a refit row (every ``ml_refit_every`` rows, counted from the first row),
and scores the rows up to the next refit: no row is ever scored by a model that saw it or
anything after it.

Raw model scores are not comparable across series, so each is calibrated against the model's
own training scores: score = 1 - (share of training rows scoring at least as high), and the
flag is raised above the training quantile 1 - ``ml_alarm_rate``. The per-row false-alarm rate
on data like the training rows is therefore ``ml_alarm_rate`` (0.2 %), or 1 / (n_train + 1)
when the training set is too small to resolve that quantile.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from kpi_trust.anomaly.config import Resolved

FEATURE_CLIP = 50.0


def features(
    index: pd.DatetimeIndex, grid: np.ndarray, x: np.ndarray, base: dict, res: Resolved
) -> np.ndarray:
    """One feature row per input row, from the row's value and earlier rows only."""
    cfg = res.cfg
    series = pd.Series(x, index=index)
    # Deviations are measured from the baseline's reference expectation (seasonal when the
    # series is seasonal) in units of its robust scale, so features compare across rows.
    scale = base["reference_scale"]
    resid = pd.Series(base["reference_resid"] / scale, index=index)
    prev = series.ffill().shift(1).to_numpy()
    short = resid.rolling(cfg.ml_short_rows, min_periods=2)
    columns = [
        resid.to_numpy(),
        (x - prev) / scale,
        np.clip((x - prev) / np.fmax(np.abs(prev), 1e-9), -5, 5),
        short.mean().to_numpy(),
        np.log(np.nan_to_num(short.std().to_numpy()) + 0.01),
        np.log1p(run_lengths(x)),
    ]
    if res.period_steps:
        lag = grid - res.period_steps
        pos = np.clip(np.searchsorted(grid, lag), 0, len(grid) - 1)
        columns.append((x - np.where(grid[pos] == lag, x[pos], np.nan)) / scale)
        angle = 2 * np.pi * (grid % res.period_steps) / res.period_steps
        columns += [np.sin(angle), np.cos(angle)]
    matrix = np.column_stack(columns)
    return np.clip(
        np.nan_to_num(matrix, nan=0.0, posinf=0.0, neginf=0.0), -FEATURE_CLIP, FEATURE_CLIP
    )


def run_lengths(x: np.ndarray) -> np.ndarray:
    """How many rows in a row (ending here) hold exactly this value: long runs = stuck metric."""
    runs = np.ones(len(x))
    for i in range(1, len(x)):
        if x[i] == x[i - 1]:
            runs[i] = runs[i - 1] + 1
    return runs


def _model(name: str, n_train: int, seed: int):
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import RobustScaler
    from sklearn.svm import OneClassSVM

    if name == "iforest":
        return IsolationForest(n_estimators=50, max_samples=min(256, n_train), random_state=seed)
    if name == "lof":
        neighbours = min(20, max(5, n_train // 10))
        return make_pipeline(
            RobustScaler(unit_variance=True),
            LocalOutlierFactor(n_neighbors=neighbours, novelty=True),
        )
    return make_pipeline(RobustScaler(unit_variance=True), OneClassSVM(nu=0.01, gamma="scale"))


def _fit_and_score(name: str, train: np.ndarray, test: np.ndarray, seed: int):
    """Anomaly scores (higher = more anomalous) of the training and the new rows."""
    model = _model(name, len(train), seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LOF warns about duplicate rows (constant stretches)
        model.fit(train)
        if name == "lof":
            train_scores = -model[-1].negative_outlier_factor_
            test_scores = -model.score_samples(test)
        else:
            train_scores = -model.score_samples(train)
            test_scores = -model.score_samples(test)
    big = 1e12
    return (
        np.nan_to_num(train_scores, nan=big, posinf=big),
        np.nan_to_num(test_scores, nan=big, posinf=big),
    )


def ml_detectors(
    feats: np.ndarray, eligible: np.ndarray, regime: np.ndarray, res: Resolved
) -> dict[str, np.ndarray]:
    """Calibrated scores (0-1) and flags of each configured ML detector.

    ``regime`` is whether the features are measured from a seasonal expectation: a model is
    trained and used only on rows of one regime, since the features' scale differs between them.
    """
    cfg = res.cfg
    n = len(feats)
    out: dict[str, np.ndarray] = {}
    for name in cfg.ml_detectors:
        out[f"score_{name}"] = np.full(n, np.nan)
        out[f"flag_{name}"] = np.zeros(n, dtype=bool)
    every = res.ml_refit_every
    for start in range(0, n, every):
        block = np.arange(start, min(start + every, n))
        block = block[eligible[block] & (regime[block] == regime[start])]
        same = eligible[:start] & (regime[:start] == regime[start])
        train_rows = np.flatnonzero(same)[-cfg.ml_window_rows :]
        if len(block) == 0 or len(train_rows) < cfg.ml_min_train:
            continue
        for name in cfg.ml_detectors:
            train_scores, test_scores = _fit_and_score(
                name, feats[train_rows], feats[block], cfg.random_state
            )
            ordered = np.sort(train_scores)
            at_least = len(ordered) - np.searchsorted(ordered, test_scores, side="left")
            out[f"score_{name}"][block] = 1.0 - at_least / len(ordered)
            cutoff = np.quantile(ordered, 1.0 - cfg.ml_alarm_rate, method="higher")
            out[f"flag_{name}"][block] = test_scores > cutoff
    return out
