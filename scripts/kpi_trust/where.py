"""`kpi-trust where`: tell the user where the warehouse is and how to query it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_DB = "warehouse/kpi_trust.duckdb"


def warehouse_path() -> Path:
    """The DuckDB file dbt builds (KPI_TRUST_DB, as profiles.yml reads it)."""
    return Path(os.environ.get("KPI_TRUST_DB", DEFAULT_DB)).resolve()


def run(args: argparse.Namespace) -> int:
    db = warehouse_path()
    print(f"Warehouse: {db}")
    print("Marts are in schema main (kpi_daily, api_performance_daily, game_kpis_daily, ...).")
    print("Example:")
    print(
        f"  python -c \"import duckdb; print(duckdb.connect('{db}', read_only=True)"
        ".sql('select * from kpi_daily limit 10'))\""
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "where", help="print where the warehouse file is and an example query"
    )
    parser.set_defaults(func=run)
