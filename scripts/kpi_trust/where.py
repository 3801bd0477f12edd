"""`kpi-trust where`: after a build, say where the warehouse is, what is in it, and how to query it.

It is the last step of `make run`, so it also prints the trust score's measured accuracy
(`trust_metrics`) when the data has ground-truth labels, and where the GE Data Docs are.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kpi_trust.cli import UserError

DEFAULT_DB = "warehouse/kpi_trust.duckdb"
SUMMARY_TABLES = (
    "kpi_daily",
    "kpi_trust_daily",
    "quality_signals_daily",
    "dbt_test_results",
    "gx_validation_results",
    "quarantined_rows",
)


def warehouse_path() -> Path:
    """The DuckDB file dbt builds (KPI_TRUST_DB, as profiles.yml reads it)."""
    return Path(os.environ.get("KPI_TRUST_DB", DEFAULT_DB)).resolve()


def data_docs_path() -> Path:
    """Great Expectations Data Docs of the latest build (KPI_TRUST_GX_DIR, default ./gx)."""
    gx_dir = Path(os.environ.get("KPI_TRUST_GX_DIR", "gx"))
    return (gx_dir / "uncommitted" / "data_docs" / "local_site" / "index.html").resolve()


def summarise(db: Path) -> list[str]:
    """Row counts of the main tables and the overall trust accuracy, as printable lines."""
    import duckdb

    lines = []
    with duckdb.connect(str(db), read_only=True) as con:
        present = {row[0] for row in con.execute("show tables").fetchall()}
        for table in SUMMARY_TABLES:
            if table in present:
                (count,) = con.execute(f"select count(*) from {table}").fetchall()[0]
                lines.append(f"  {table:<24} {count:>10,} rows")
        if "trust_metrics" in present:
            rows = con.execute(
                "select n_positives, precision, recall, false_alarm_rate from trust_metrics"
                " where kpi_name = 'overall' and dataset = 'all'"
            ).fetchall()
            if rows and rows[0][0]:
                positives, precision, recall, false_alarms = rows[0]
                lines.append(
                    f"Trust score vs the injected incidents: precision {precision:.3f}, "
                    f"recall {recall:.3f}, false-alarm rate {false_alarms:.3f} "
                    f"({positives} incident KPI-days)"
                )
            else:
                lines.append("Trust score: no ground-truth labels, nothing to evaluate.")
    return lines


def run(args: argparse.Namespace) -> int:
    db = warehouse_path()
    if not db.exists():
        raise UserError(f"no warehouse at {db}: run `make run` (or `dbt build`) first")
    print(f"Warehouse: {db}")
    for line in summarise(db):
        print(line)
    docs = data_docs_path()
    if docs.exists():
        print(
            f"Great Expectations Data Docs: {docs} (blank offline: GE loads them from a CDN; "
            "`make report` renders the GE results in reports/index.html)"
        )
    print("Marts are in schema main. Example:")
    print(
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{db}', read_only=True)"
        '.sql(\\"select * from kpi_trust_daily where trust_level = \'low\' limit 10\\").show()"'
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "where",
        help="print where the warehouse is, what it holds and an example query",
        description="Print the warehouse path, row counts of the main tables, the trust "
        "score's measured accuracy and where the Great Expectations Data Docs are.",
    )
    parser.set_defaults(func=run)
