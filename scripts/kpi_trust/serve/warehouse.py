"""Opening the warehouse file for serving, and the one place optional tables are read.

Readers open the file ``read_only`` per request: DuckDB lets one process write at a time, and a
running ``dbt build`` holds that lock, so a reader then fails. ``WarehouseBusy`` turns that
failure into one clear message (the API answers 503 with it) instead of a stack trace.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_DB = "warehouse/kpi_trust.duckdb"
# Files written here stay readable by DuckDB 1.4 clients, like the ones dbt writes (profiles.yml).
WRITE_CONFIG = {"storage_compatibility_version": "v1.4.0"}
ROOT_CAUSE_COLUMNS = ("kpi_name", "kpi_date", "dimension_name", "dimension_value", "root_cause")


class WarehouseBusy(Exception):
    """The file is locked by a writer (a `dbt build` running): try again when it ends."""


class WarehouseMissing(Exception):
    """No warehouse file at the configured path."""


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The warehouse file: the argument, else KPI_TRUST_DB, else the project default."""
    return Path(path or os.environ.get("KPI_TRUST_DB") or DEFAULT_DB)


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text or "conflicting" in text or "being used by another process" in text


def connect(path: str | os.PathLike | None = None, *, write: bool = False):
    """A connection to the warehouse; read-only unless ``write`` (alerts record what they sent)."""
    target = db_path(path)
    if not target.exists():
        raise WarehouseMissing(f"no warehouse at {target}: run `make run` (or set KPI_TRUST_DB)")
    try:
        if write:
            return duckdb.connect(str(target), config=WRITE_CONFIG)
        return duckdb.connect(str(target), read_only=True)
    except duckdb.Error as error:
        if _is_lock_error(error):
            raise WarehouseBusy(
                f"the warehouse {target} is locked by another process (a dbt build running?): "
                "try again when it has finished"
            ) from error
        raise


def has_table(con, name: str, schema: str = "main") -> bool:
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return rows[0][0] > 0


def table_columns(con, name: str, schema: str = "main") -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return [row[0] for row in rows]


def root_cause_sql(con, *, ranked: bool = False) -> str | None:
    """SQL for the top root cause per KPI, day and slice, or None when there is none yet.

    ``kpi_root_causes`` is built by a separate part of the project; its columns may still move,
    so this is the only place that reads it: the table must exist with the key columns and
    ``root_cause``; ``cause_rank`` or ``rank`` (1 = top), ``explained_share`` and ``sentence``
    are used when present.
    Output columns: kpi_name, kpi_date, dimension_name, dimension_value, root_cause,
    root_cause_share, root_cause_sentence. ``ranked``: every cause, not only the top one, with
    its ``cause_rank`` (1 = top) as a last column (the dashboard's drill-down).
    """
    if not has_table(con, "kpi_root_causes"):
        return None
    columns = set(table_columns(con, "kpi_root_causes"))
    if not set(ROOT_CAUSE_COLUMNS) <= columns:
        return None
    share = "explained_share" if "explained_share" in columns else "null"
    sentence = "sentence" if "sentence" in columns else "null"
    rank = next((c for c in ("cause_rank", "rank") if c in columns), None)
    order = rank or ("score desc" if "score" in columns else "root_cause")
    position = (
        "row_number() over (partition by kpi_name, kpi_date, dimension_name, dimension_value "
        f"order by {order})"
    )
    last = f", {position} as cause_rank" if ranked else ""
    keep = "" if ranked else f"qualify {position} = 1"
    return f"""
        select kpi_name, kpi_date, dimension_name, dimension_value,
            cast(root_cause as varchar) as root_cause,
            cast({share} as double) as root_cause_share,
            cast({sentence} as varchar) as root_cause_sentence{last}
        from main.kpi_root_causes
        {keep}
    """
