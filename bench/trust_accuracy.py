"""Measure the trust scores' accuracy on several seeds (docs/trust.md, "Measured accuracy").

For each seed: generate the default dataset (90 days unless --days), build the whole project
with dbt into a temp dir (the accuracy gate off, so every seed is measured rather than stopping
the build), and read `trust_metrics` for kpi_name 'overall', dataset 'all'. Prints one markdown
table: seed x score kind x row scope with positives, undecidable positives, precision, recall,
healthy siblings low and clean / business-only rows not high.

Usage: .venv/bin/python bench/trust_accuracy.py --seeds 42 101 202 303   (~3-4 min per seed)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COLUMNS = (
    "n_positives",
    "n_undecidable",
    "precision",
    "recall",
    "sibling_low_rate",
    "clean_not_high_rate",
    "business_only_not_high_rate",
)


def build_seed(seed: int, days: int, work: Path) -> Path:
    """Generate one seed's logs (CSV seeds inside the project, as dbt needs) and build them."""
    seed_dir = REPO / "data" / "accuracy" / f"seed{seed}"
    shutil.rmtree(seed_dir, ignore_errors=True)
    subprocess.run(
        [BIN / "kpi-trust", "generate", "--seed", str(seed), "--days", str(days)]
        + ["--out", seed_dir],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(REPO),
        "KPI_TRUST_DB": str(work / f"seed{seed}.duckdb"),
        "DBT_TARGET_PATH": str(work / f"target{seed}"),
        "DBT_LOG_PATH": str(work / f"logs{seed}"),
        "KPI_TRUST_SEED_DIR": str(seed_dir.relative_to(REPO)),
        "KPI_TRUST_GX_DIR": str(work / f"gx{seed}"),
        "KPI_TRUST_GX_DATA_DOCS": "0",
        "KPI_TRUST_MIN_RECALL": "0",
        "KPI_TRUST_MIN_PRECISION": "0",
        "KPI_TRUST_MIN_SLICE_RECALL": "0",
        "KPI_TRUST_MIN_SLICE_PRECISION": "0",
        "KPI_TRUST_MAX_SIBLING_LOW_RATE": "1",
        "KPI_TRUST_MAX_NOT_HIGH_RATE": "1",
    }
    try:
        subprocess.run(
            [BIN / "dbt", "build", "--quiet", "--project-dir", REPO],
            check=True,
            env=env,
            stderr=subprocess.DEVNULL,
        )
    finally:
        shutil.rmtree(seed_dir, ignore_errors=True)
    return Path(env["KPI_TRUST_DB"])


def metrics(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            f"select score_kind, row_scope, {', '.join(COLUMNS)} from trust_metrics "
            "where kpi_name = 'overall' and dataset = 'all' "
            "order by score_kind desc, row_scope desc"
        ).fetchall()


def cell(value) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 101, 202, 303])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--keep", type=Path, help="keep the warehouses (seed<N>.duckdb) here")
    args = parser.parse_args(argv)
    header = ["seed", "score", "rows", *COLUMNS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    with tempfile.TemporaryDirectory(prefix="trust_accuracy_") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for seed in args.seeds:
            db = build_seed(seed, args.days, work.resolve())
            for score_kind, row_scope, *values in metrics(db):
                row = [str(seed), score_kind, row_scope, *map(cell, values)]
                lines.append("| " + " | ".join(row) + " |")
            print(f"seed {seed} done", file=sys.stderr, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
