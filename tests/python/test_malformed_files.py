"""Malformed raw files, table-driven: each case changes the small fixture's
`api_calls.csv` (or replaces it) and expects either a build that stages every record, valid or
quarantined with a reason, or one message naming the file (and the line or column).

Cases that keep the file's header ("data cases") run the staging SQL that dbt compiled once
against a fresh file, in DuckDB; cases that change the file's shape (header, encoding,
format...) run dbt itself, since the header is read when dbt compiles. With the build wrapper's
own cases (test_build_wrapper.py), the dialect cases (test_raw_file_dialects.py) and the schema
cases (test_raw_schema_errors.py), this is the suite's malformed-file table.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO, files_env, run_dbt
from kpi_trust.build import diagnose

FIXTURE = REPO / "tests" / "fixtures" / "raw_small"
MODEL = "stg_api_gateway__api_calls"


def _lines() -> list[str]:
    return (FIXTURE / "api_calls.csv").read_text().splitlines(keepends=True)


def _records() -> tuple[list[str], list[list[str]]]:
    with (FIXTURE / "api_calls.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _csv(rows: list[list[str]], **dialect) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", **dialect).writerows(rows)
    return out.getvalue()


CLEAN_RECORDS = len(_records()[1])


@dataclass
class Case:
    name: str
    write: Callable[[Path], None]  # writes raw/api_calls.<format>
    records: int | None = None  # records staged (valid + quarantined); None = an error
    reasons: dict[str, int] = field(default_factory=dict)  # quarantine reasons expected to grow
    message: tuple[str, ...] = ()  # fragments of the error (the file's path is always checked)
    fmt: str = "csv"
    env: dict[str, str] = field(default_factory=dict)


def _text(content: str, encoding: str = "utf-8", name: str = "api_calls.csv"):
    return lambda raw: (raw / name).write_bytes(content.encode(encoding))


def _with_lines(change: Callable[[list[str]], list[str]]):
    return lambda raw: (raw / "api_calls.csv").write_text("".join(change(_lines())))


def _record_line(call_id: str, cut: int = 0, extra: list[str] | None = None) -> str:
    header, records = _records()
    values = [call_id, *records[1][1:]]
    values = values[: len(values) - cut] + (extra or [])
    return _csv([values])


def _multiline_record() -> str:
    header, records = _records()
    values = ["m5", *records[1][1:]]
    values[header.index("error_reason")] = "two\nlines"
    return _csv([values])


def _reordered(raw: Path) -> None:
    header, records = _records()
    order = list(reversed(range(len(header))))
    rows = [[row[i] for i in order] for row in [header, *records]]
    (raw / "api_calls.csv").write_text(_csv(rows))


def _header_respelled(raw: Path) -> None:
    header, records = _records()
    respelled = [f" {name.upper()} " for name in header]
    (raw / "api_calls.csv").write_text(_csv([respelled, *records]))


def _duplicate_header(raw: Path) -> None:
    header, records = _records()
    (raw / "api_calls.csv").write_text(_csv([[*header, "batch_id"], *[[*r, "x"] for r in records]]))


def _delimited(delimiter: str):
    def write(raw: Path) -> None:
        header, records = _records()
        (raw / "api_calls.csv").write_text(_csv([header, *records], delimiter=delimiter))

    return write


def _gzipped(raw: Path) -> None:
    (raw / "api_calls.csv.gz").write_bytes(gzip.compress((raw / "api_calls.csv").read_bytes()))
    (raw / "api_calls.csv").unlink()


def _parquet(columns_sql: str, keep_csv: bool = False):
    def write(raw: Path) -> None:
        with duckdb.connect() as con:
            con.sql(
                f"create table raw as select * from read_csv('{FIXTURE / 'api_calls.csv'}', "
                "all_varchar = true)"
            )
            con.sql(
                f"copy (select {columns_sql} from raw) to '{raw / 'api_calls.parquet'}' "
                "(format parquet)"
            )
        if not keep_csv:
            (raw / "api_calls.csv").unlink()

    return write


def _gzip_named_csv(raw: Path) -> None:
    (raw / "api_calls.csv").write_bytes(gzip.compress((FIXTURE / "api_calls.csv").read_bytes()))


def _directory(raw: Path) -> None:
    (raw / "api_calls.csv").unlink()
    (raw / "api_calls.csv").mkdir()


# fmt: off
DATA_CASES = [
    Case("one field too many", _with_lines(lambda ls: [*ls, _record_line("m1", extra=["x"])]),
         CLEAN_RECORDS + 1, {"malformed_line": 1}),
    Case("one field too few", _with_lines(lambda ls: [*ls, _record_line("m2", cut=1)]),
         CLEAN_RECORDS + 1, {"malformed_line": 1}),
    Case("both, mid-file", _with_lines(lambda ls: [*ls[:5], _record_line("m3", extra=["x", "y"]),
                                                   _record_line("m4", cut=5), *ls[5:]]),
         CLEAN_RECORDS + 2, {"malformed_line": 2}),
    Case("blank lines are not records",
         _with_lines(lambda ls: [*ls[:4], "\n", "\r\n", *ls[4:], "\n"]), CLEAN_RECORDS),
    Case("CRLF line ends", _with_lines(lambda ls: [line.replace("\n", "\r\n") for line in ls]),
         CLEAN_RECORDS),
    Case("mixed line ends", _with_lines(lambda ls: [line.replace("\n", "\r\n") if i % 2 else line
                                                    for i, line in enumerate(ls)]),
         CLEAN_RECORDS),
    Case("no newline at the end", _with_lines(lambda ls: [*ls[:-1], ls[-1].rstrip("\r\n")]),
         CLEAN_RECORDS),
    Case("UTF-8 byte order mark", _with_lines(lambda ls: ["\ufeff" + ls[0], *ls[1:]]),
         CLEAN_RECORDS),
    Case("quoted line break inside a field", _with_lines(lambda ls: [*ls, _multiline_record()]),
         CLEAN_RECORDS + 1),
    Case("a quote left open swallows the rest", _with_lines(
        lambda ls: [*ls[:10], 'c999,"2024-03-01 09:00:00,document_ocr,v1.0\n', *ls[10:]]),
         None, message=("line 11:", "never closed")),
    Case("a quote left open on the last line", _with_lines(
        lambda ls: [*ls, 'c998,"2024-03-01 09:00:00,document_ocr\n']),
         CLEAN_RECORDS + 1, {"malformed_line": 1}),
]
SHAPE_CASES = [
    Case("columns in another order", _reordered, CLEAN_RECORDS),
    Case("header names in other case, padded", _header_respelled, CLEAN_RECORDS),
    Case("a header column twice", _duplicate_header, None, message=("'batch_id' twice",)),
    Case("semicolons, delimiter not configured", _delimited(";"), None,
         message=("missing required column(s)", "looks ;-delimited", "KPI_TRUST_CSV_DELIMITER")),
    Case("tabs, delimiter configured", _delimited("\t"), CLEAN_RECORDS,
         env={"KPI_TRUST_CSV_DELIMITER": "\t"}),
    Case("empty file (0 bytes)", _text(""), None, message=("is empty: no header line",)),
    Case("header only", lambda raw: (raw / "api_calls.csv").write_text(_lines()[0]), None,
         message=("has no data rows",)),
    Case("Latin-1, encoding configured",
         lambda raw: (raw / "api_calls.csv").write_bytes(
             "".join(_lines()).replace("eu-west", "eu-ouést").encode("latin-1")),
         CLEAN_RECORDS, env={"KPI_TRUST_CSV_ENCODING": "latin-1"}),
    Case("Parquet with typed columns", _parquet(
        "* replace (cast(try_cast(latency_ms as double) as double) as latency_ms, "
        "try_cast(http_status as integer) as http_status, "
        "try_cast(requested_at as timestamp) as requested_at)"), CLEAN_RECORDS,
         # the fixture's unparseable values cannot be held by a typed column: they arrive null
         {"missing_required_value": 3}, fmt="parquet"),
    Case("Parquet without a column", _parquet("* exclude (batch_id)"), None,
         message=("missing required column(s): batch_id",), fmt="parquet"),
    Case("a directory where the file should be", _directory, None, message=("api_calls.csv",)),
    Case("a .csv.gz found by its extension", _gzipped, CLEAN_RECORDS, fmt="auto"),
    Case("the same log twice (.csv and .parquet)", _parquet("*", keep_csv=True), None,
         message=("api_calls.parquet and api_calls.csv", "KPI_TRUST_RAW_FORMAT"), fmt="auto"),
]
# Through `kpi-trust build`: its message is the one a user reads (DuckDB's names no file).
WRAPPER_CASES = [
    Case("Latin-1, encoding not configured",
         lambda raw: (raw / "api_calls.csv").write_bytes(
             "".join(_lines()).replace("eu-west", "eu-ouést").encode("latin-1")),
         None, message=("line 2:", "not utf-8 text", "KPI_TRUST_CSV_ENCODING")),
    Case("gzip data in a .csv file", _gzip_named_csv, None,
         message=("not utf-8 text", "KPI_TRUST_CSV_ENCODING")),
]
# fmt: on


def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw)
    return raw


def _staged(db_or_con) -> pd.DataFrame:
    return db_or_con.sql(
        f"select source_row_number, quarantine_reason from staging.{MODEL} order by 1"
    ).df()


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("malformed_files")
    raw = _raw_copy(work)
    run_dbt(["compile", "-s", MODEL], files_env(work, raw))
    sql = next((work / "target" / "compiled").rglob(f"{MODEL}.sql")).read_text()
    with duckdb.connect() as con:
        reference = con.sql(sql).df()
    return {"raw": raw, "sql": sql, "reference": reference}


def _reason_counts(frame: pd.DataFrame) -> dict[str, int]:
    return frame["quarantine_reason"].dropna().value_counts().to_dict()


def _check_staged(case: Case, staged: pd.DataFrame, reference: pd.DataFrame) -> None:
    assert list(staged["source_row_number"]) == list(range(1, case.records + 1))
    grown = {
        reason: count - _reason_counts(reference).get(reason, 0)
        for reason, count in _reason_counts(staged).items()
    }
    assert {k: v for k, v in grown.items() if v} == case.reasons


def _check_message(case: Case, message: str, path: Path) -> None:
    assert str(path) in message, message[-1500:]
    for fragment in case.message:
        assert fragment in message, (fragment, message[-1500:])


def test_the_table_is_large_enough() -> None:
    assert len(DATA_CASES) + len(SHAPE_CASES) + len(WRAPPER_CASES) >= 20


@pytest.mark.parametrize("case", DATA_CASES, ids=lambda case: case.name)
def test_data_case(compiled: dict, case: Case) -> None:
    raw = compiled["raw"]
    shutil.copy(FIXTURE / "api_calls.csv", raw / "api_calls.csv")
    case.write(raw)
    with duckdb.connect() as con:
        try:
            staged = con.sql(compiled["sql"]).df()
        except duckdb.Error as error:
            assert case.records is None, error
            # the build wrapper turns the data row into the file's line
            _check_message(case, diagnose(str(error)) or "", raw / "api_calls.csv")
            return
    assert case.records is not None, "expected an error"
    _check_staged(case, staged, compiled["reference"])


@pytest.mark.parametrize("case", SHAPE_CASES, ids=lambda case: case.name)
def test_shape_case(tmp_path: Path, compiled: dict, case: Case) -> None:
    raw = _raw_copy(tmp_path)
    case.write(raw)
    env = files_env(tmp_path, raw, case.fmt, **case.env)
    if case.records is None:
        with pytest.raises(RuntimeError) as error:
            run_dbt(["run", "-s", MODEL], env)
        _check_message(
            case, str(error.value), raw if case.fmt == "auto" else raw / f"api_calls.{case.fmt}"
        )
        return
    run_dbt(["run", "-s", MODEL], env)
    with duckdb.connect(str(tmp_path / "kpi.duckdb"), read_only=True) as con:
        staged = _staged(con)
    _check_staged(case, staged, compiled["reference"])


@pytest.mark.parametrize("case", WRAPPER_CASES, ids=lambda case: case.name)
def test_wrapper_case(tmp_path: Path, case: Case) -> None:
    raw = _raw_copy(tmp_path)
    case.write(raw)
    env = {**os.environ, **files_env(tmp_path, raw, case.fmt, **case.env)}
    result = subprocess.run(
        [Path(sys.executable).parent / "kpi-trust", "build", "-s", MODEL],
        env=env, cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    _check_message(case, result.stderr, raw / "api_calls.csv")
    assert "Traceback" not in result.stdout + result.stderr
