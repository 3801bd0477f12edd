"""The anomaly step's cost: every kpi_daily series scored by the warehouse model's own code.

The detectors' cost grows with the number of series (KPI x slice x value basis) and days, not
with the rows of the logs: a 10 M-row log has the same KPI series as the default one once every
value of each dimension's vocabulary occurs (the script prints how many series it scored). So
the benchmark reads `kpi_daily` from a built warehouse and times `score_all` of
models/anomalies/kpi_anomalies_daily.py (the function the dbt Python model runs), with the
project's default vars; `--replicate K` scores K copies of every series (new slice values,
multiplicative noise) to show how the cost scales with the series count. Reported: median wall
and CPU seconds over `--runs`, and the process's peak RSS.

    PYTHONPATH=scripts python bench/bench_anomalies.py [--db warehouse/kpi_trust.duckdb]
        [--replicate 1] [--runs 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import resource
import statistics
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "anomalies" / "kpi_anomalies_daily.py"
VAR_KEYS = (
    "anomaly_consensus",
    "anomaly_min_history",
    "anomaly_z_threshold",
    "anomaly_cusum_h",
    "anomaly_season_days",
    "anomaly_ml_scope",
)


class Config:
    """What a dbt Python model's `dbt.config.get` returns: the project's default vars."""

    def __init__(self, values: dict):
        self.values = values

    def get(self, key):
        return self.values[key]


class Dbt:
    def __init__(self, values: dict):
        self.config = Config(values)


def load_model():
    spec = importlib.util.spec_from_file_location("kpi_anomalies_daily", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def replicate(kpis: pd.DataFrame, copies: int, seed: int = 0) -> pd.DataFrame:
    """`copies` copies of every slice series (new dimension values), values times 1 +- 5 %."""
    if copies <= 1:
        return kpis
    rng = np.random.default_rng(seed)
    frames = [kpis]
    slices = kpis[kpis["dimension_name"] != "all"]
    for copy in range(1, copies):
        extra = slices.copy()
        extra["dimension_value"] = extra["dimension_value"] + f"#{copy}"
        factor = 1 + rng.normal(0, 0.05, len(extra))
        extra["value"] = extra["value"] * factor
        extra["value_reported"] = extra["value_reported"] * factor
        frames.append(extra)
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "warehouse" / "kpi_trust.duckdb"))
    parser.add_argument("--replicate", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    project_vars = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]
    dbt = Dbt({key: project_vars[key] for key in VAR_KEYS})
    model = load_model()
    with duckdb.connect(args.db, read_only=True) as connection:
        kpis = connection.sql("select * from kpi_daily").df()
    kpis["kpi_date"] = pd.to_datetime(kpis["kpi_date"])
    kpis = replicate(kpis, args.replicate).sort_values([*model.KEYS, "kpi_date"])
    n_series = kpis.groupby(model.KEYS).ngroups
    n_days = kpis["kpi_date"].nunique()
    configs = {ml: model.detect_config(dbt, ml) for ml in (False, True)}
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        scored = model.score_all(kpis, configs, dbt.config.get("anomaly_ml_scope"))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, python {platform.python_version()}")
    print("| series (x 2 bases) | days | output rows | wall s | CPU s | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(
        f"| {n_series:,} | {n_days} | {len(scored):,} | {statistics.median(walls):.1f} "
        f"| {statistics.median(cpus):.1f} | {peak_mb:,.0f} |"
    )


if __name__ == "__main__":
    main()
