"""Synthetic series for the detector tests, made here (independent of the project's generator)."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKLY = np.array([1.0, 1.04, 1.08, 1.06, 1.0, 0.75, 0.7])


def daily(n: int = 200, seed: int = 0, sigma: float = 20.0) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """A daily KPI around 1000 with a weekly pattern and normal noise of ``sigma``."""
    ts = pd.date_range("2025-01-06", periods=n, freq="D")
    noise = np.random.default_rng(seed).normal(0, sigma, n)
    return ts, 1000 * WEEKLY[ts.day_of_week] + noise


def five_minute(
    days: int = 7, seed: int = 0, ar: float = 0.0
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """A 5-minute metric with a daily cycle (amplitude 10) and unit-variance AR(1) noise."""
    n = 288 * days
    ts = pd.date_range("2025-01-06", periods=n, freq="5min")
    shocks = np.random.default_rng(seed).normal(0, 1, n) * np.sqrt(1 - ar**2)
    noise = np.zeros(n)
    noise[0] = shocks[0]
    for i in range(1, n):
        noise[i] = ar * noise[i - 1] + shocks[i]
    minutes = np.asarray(ts.hour * 60 + ts.minute)
    return ts, 50 + 10 * np.sin(2 * np.pi * minutes / 1440) + noise


def alarms(out: pd.DataFrame) -> np.ndarray:
    """Row positions of the alarms."""
    return np.flatnonzero(out["is_anomaly"].to_numpy())
