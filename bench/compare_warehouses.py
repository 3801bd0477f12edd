"""Compare two built warehouses table by table: are the results of a refactor unchanged?

Why: a change meant to reshape models (split, rename CTEs, move formulas into macros) must
leave every table the users read identical. This script attaches both DuckDB files read-only
and, for every table of the chosen schemas in the first file, checks that the second file has
it with the same columns and the same rows (EXCEPT ALL both ways, so duplicates count).

History tables keyed by run (dbt_test_results, dbt_test_failures_daily, gx_validation_results)
are skipped by default, and so are columns holding invocation ids and run timestamps (two builds
never share those) and kpi_root_causes.inputs_fingerprint (a hash of the exact bits of the leaf
cube's floats, which vary with DuckDB's parallel sums; it decides what an incremental run
searches again, it is not a result). Tables only in the second file are listed but are not a
difference (a refactor may add intermediate models).

Floating-point columns are compared rounded (--float-digits, default 9 decimals): DuckDB sums
doubles in parallel, so two builds of the SAME code differ in the last bits of some sums
(observed on kpi_daily revenue sums). A value that sits on a rounding boundary still rounds two
ways, so the rows left after that are paired by their other columns and match when every float
is within --rel-tol (default 1e-9) of its pair, or both within 1e-12 of each other (values that
are zero but for noise, e.g. 1e-16 against 0). --float-digits -1 compares them exactly.

Usage:
    python bench/compare_warehouses.py before.duckdb after.duckdb [--schema main ...]

Exit status: 0 when every compared table is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_SCHEMAS = ("main",)
HISTORY_TABLES = ("dbt_test_results", "dbt_test_failures_daily", "gx_validation_results")
RUN_COLUMNS = ("invocation_id", "run_id", "run_at", "run_started_at")
IGNORED_COLUMNS = (*RUN_COLUMNS, "inputs_fingerprint")
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
DEFAULT_FLOAT_DIGITS = 9
DEFAULT_REL_TOL = 1e-9
ABS_TOL = 1e-12  # two floats this close are equal whatever their size (noise around zero)
# rows left after the rounded comparison that are paired in Python (more: reported as differing)
MAX_PAIRED_ROWS = 100_000


@dataclass(frozen=True)
class TableDiff:
    """Outcome of comparing one table: missing, schema change or row differences."""

    schema: str
    table: str
    problem: str | None
    only_before: int = 0
    only_after: int = 0

    @property
    def is_identical(self) -> bool:
        return self.problem is None and self.only_before == 0 and self.only_after == 0


def quote(identifier: str) -> str:
    """Double-quote an identifier for DuckDB."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """Single-quote a string literal for DuckDB."""
    return "'" + text.replace("'", "''") + "'"


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> dict:
    """{table name: [(column, type), ...]} for the base tables of one schema of a catalog."""
    rows = con.execute(
        """
        select table_name, column_name, data_type
        from duckdb_columns()
        where database_name = ? and schema_name = ?
            and table_name in (
                select table_name from duckdb_tables() where database_name = ? and schema_name = ?
            )
        order by table_name, column_index
        """,
        [catalog, schema, catalog, schema],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def compare_table(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    before_columns: list[tuple[str, str]],
    after_columns: list[tuple[str, str]] | None,
    ignored_columns: set[str],
    float_digits: int = DEFAULT_FLOAT_DIGITS,
    rel_tol: float = DEFAULT_REL_TOL,
) -> TableDiff:
    """Compare one table of `before` with the same table of `after`."""
    if after_columns is None:
        return TableDiff(schema, table, "missing in after")
    kept_before = [(c, t) for c, t in before_columns if c not in ignored_columns]
    kept_after = [(c, t) for c, t in after_columns if c not in ignored_columns]
    if sorted(kept_before) != sorted(kept_after):
        changed = sorted(set(kept_before) ^ set(kept_after))
        return TableDiff(schema, table, f"columns differ: {changed}")
    column_list = ", ".join(
        f"round({quote(c)}, {float_digits}) as {quote(c)}"
        if float_digits >= 0 and t in FLOAT_TYPES
        else quote(c)
        for c, t in kept_before
    )

    def relation(catalog: str) -> str:
        return f"{quote(catalog)}.{quote(schema)}.{quote(table)}"

    def count_except(left: str, right: str) -> int:
        sql = (
            f"select count(*) from (select {column_list} from {relation(left)} "
            f"except all select {column_list} from {relation(right)})"
        )
        return con.execute(sql).fetchone()[0]

    only_before, only_after = count_except("before", "after"), count_except("after", "before")
    floats = [c for c, t in kept_before if t in FLOAT_TYPES]
    pairable = float_digits >= 0 and floats and 0 < only_before == only_after <= MAX_PAIRED_ROWS
    if pairable and not unpaired_rows(
        con, kept_before, relation("before"), relation("after"), rel_tol
    ):
        only_before = only_after = 0
    return TableDiff(schema, table, None, only_before=only_before, only_after=only_after)


def unpaired_rows(
    con: duckdb.DuckDBPyConnection,
    columns: list[tuple[str, str]],
    before: str,
    after: str,
    rel_tol: float,
) -> int:
    """Rows of the rounded comparison's residue that have no pair within `rel_tol`: each side's
    rows whose exact values the other side lacks, paired by their non-float columns (in float
    order) and matched when every float is within rel_tol (or ABS_TOL) of its pair, or both are
    null."""
    exact = ", ".join(quote(c) for c, _ in columns)
    floats = [i for i, (_, t) in enumerate(columns) if t in FLOAT_TYPES]

    def residue(left: str, right: str) -> dict[tuple, list[tuple]]:
        rows = con.execute(
            f"select {exact} from {left} except all select {exact} from {right}"
        ).fetchall()
        grouped: dict[tuple, list[tuple]] = {}
        for row in rows:
            key = tuple(v for i, v in enumerate(row) if i not in floats)
            grouped.setdefault(key, []).append(tuple(row[i] for i in floats))
        return {key: sorted(values, key=repr) for key, values in grouped.items()}

    def close(a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return a is b
        return a == b or abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), ABS_TOL)

    left, right = residue(before, after), residue(after, before)
    unpaired = 0
    for key in left.keys() | right.keys():
        ours, theirs = left.get(key, []), right.get(key, [])
        if len(ours) != len(theirs):
            unpaired += max(len(ours), len(theirs))
            continue
        unpaired += sum(
            not all(close(a, b) for a, b in zip(x, y, strict=True))
            for x, y in zip(ours, theirs, strict=True)
        )
    return unpaired


def compare_warehouses(
    before: Path,
    after: Path,
    schemas: tuple[str, ...] = DEFAULT_SCHEMAS,
    skipped_tables: tuple[str, ...] = HISTORY_TABLES,
    ignored_columns: tuple[str, ...] = IGNORED_COLUMNS,
    float_digits: int = DEFAULT_FLOAT_DIGITS,
    rel_tol: float = DEFAULT_REL_TOL,
) -> tuple[list[TableDiff], list[str]]:
    """Every compared table's outcome, and the tables found only in `after`."""
    con = duckdb.connect()
    con.execute(f"attach {literal(str(before))} as before (read_only)")
    con.execute(f"attach {literal(str(after))} as after (read_only)")
    diffs: list[TableDiff] = []
    added: list[str] = []
    for schema in schemas:
        before_tables = table_columns(con, "before", schema)
        after_tables = table_columns(con, "after", schema)
        for table, columns in before_tables.items():
            if table in skipped_tables:
                continue
            diffs.append(
                compare_table(
                    con,
                    schema,
                    table,
                    columns,
                    after_tables.get(table),
                    set(ignored_columns),
                    float_digits,
                    rel_tol,
                )
            )
        added.extend(f"{schema}.{t}" for t in sorted(set(after_tables) - set(before_tables)))
    con.close()
    return diffs, added


def main(argv: list[str] | None = None) -> int:
    """CLI: print one line per table, exit 1 when any compared table differs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="DuckDB file built before the change")
    parser.add_argument("after", type=Path, help="DuckDB file built after the change")
    parser.add_argument(
        "--schema",
        action="append",
        dest="schemas",
        help=f"schema to compare (repeatable; default: {', '.join(DEFAULT_SCHEMAS)})",
    )
    parser.add_argument(
        "--skip-table",
        action="append",
        default=list(HISTORY_TABLES),
        help="table name not compared (repeatable; the run-keyed history tables always are)",
    )
    parser.add_argument(
        "--ignore-column",
        action="append",
        default=list(IGNORED_COLUMNS),
        help="column left out of every comparison (repeatable; run ids/timestamps always are)",
    )
    parser.add_argument(
        "--float-digits",
        type=int,
        default=DEFAULT_FLOAT_DIGITS,
        help="decimals floating-point columns are rounded to before comparing; -1 = exact",
    )
    parser.add_argument(
        "--rel-tol",
        type=float,
        default=DEFAULT_REL_TOL,
        help="relative difference of two floats that still match after rounding differed",
    )
    args = parser.parse_args(argv)
    for path in (args.before, args.after):
        if not path.is_file():
            parser.error(f"no such file: {path}")

    diffs, added = compare_warehouses(
        args.before,
        args.after,
        tuple(args.schemas or DEFAULT_SCHEMAS),
        tuple(args.skip_table),
        tuple(args.ignore_column),
        args.float_digits,
        args.rel_tol,
    )
    differing = [d for d in diffs if not d.is_identical]
    for diff in diffs:
        if diff.is_identical:
            status = "identical"
        elif diff.problem:
            status = f"DIFFERS: {diff.problem}"
        else:
            status = (
                f"DIFFERS: {diff.only_before} rows only in before, "
                f"{diff.only_after} rows only in after"
            )
        print(f"{diff.schema}.{diff.table}: {status}")
    for table in added:
        print(f"{table}: only in after (not compared)")
    print(f"{len(diffs) - len(differing)} of {len(diffs)} tables identical")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
