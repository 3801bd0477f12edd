"""`kpi-trust build`: run `dbt build` and turn operational failures into one or two clear lines.

dbt's own output is streamed as usual, except Python tracebacks, which go only to the full log
(`<DBT_LOG_PATH or logs>/kpi-trust-build.log`, beside dbt's own `dbt.log`). Before dbt starts,
the warehouse file is checked: held by another process (another build, a notebook, a BI tool),
not a DuckDB file, or on a nearly full disk. After a failed build, the output is scanned for the
same causes plus a missing or unreadable raw file, and the cause and what to do are printed last.
Errors in the data never end here: they are quarantined with counts, or stop the build with
messages naming the file and column (see docs/raw-schemas.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kpi_trust.cli import UserError

# duckdb 2.0's bindings print ~40 harmless "nanobind: leaked ..." lines when a process that ran
# Great Expectations exits; they are dropped from the console (kept in the log).
NOISE = re.compile(r"^(nanobind: |See https://nanobind| - leaked | - \.\.\. skipped remainder)")
# Below this much free space next to the warehouse, a build of the default data cannot finish.
MIN_FREE_BYTES = 512 * 1024**2


@dataclass(frozen=True)
class Diagnosis:
    pattern: re.Pattern[str]
    message: str


# Known causes, first match wins; `{0}`, `{1}` are the groups of the match.
DIAGNOSES = (
    Diagnosis(
        re.compile(
            r'Could not set lock on file "([^"]+)": Conflicting lock is held in (.*?)\. See'
        ),
        "the warehouse {0} is open in another process ({1}): close it (another dbt build, a "
        "notebook or a BI tool holding it), or build into another file with KPI_TRUST_DB=<path>.",
    ),
    Diagnosis(
        re.compile(r'The file "([^"]+)" exists, but it is not a valid DuckDB database file'),
        "{0} is not a DuckDB database (damaged or another kind of file): move it away; "
        "the next build recreates it from the raw logs.",
    ),
    Diagnosis(
        re.compile(r"(No space left on device|could not write all bytes|disk is full)", re.I),
        "the disk is full ({0}): free space next to the warehouse (KPI_TRUST_DB) and the dbt "
        "target folder, then build again.",
    ),
    Diagnosis(
        re.compile(r"(Permission denied[^\n]*)"),
        "a file could not be read or written ({0}): check the permissions of the raw folder, "
        "the warehouse file and target/.",
    ),
    Diagnosis(
        re.compile(r"(No files found that match the pattern \"[^\"]+\"|Raw log [^\n]+)"),
        "{0}",
    ),
    Diagnosis(
        re.compile(r"depends on a node named '(api_calls|game_events|injected_incidents)' which"),
        "no raw log '{0}' in the seed folder (KPI_TRUST_SEED_DIR, default data/generated): run "
        "`make generate` for the demo data, or point KPI_TRUST_SEED_DIR (seed mode) or "
        "KPI_TRUST_RAW_SOURCE=files with KPI_TRUST_RAW_DIR at your logs.",
    ),
)


SNIFF_ERROR = re.compile(r'Error when sniffing file "([^"]+)"')
# read_raw_file stops on a record that holds a line break and does not fit the header.
OPEN_QUOTE_ERROR = re.compile(r"Raw file (.+?): data row (\d+) opens a quoted field")


def locate_record(path: Path, record: int) -> str:
    """`path` line N: where data record `record` (1-based, header not counted) starts."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            start = reader.line_num + 1
            for number, _ in enumerate(reader, start=1):
                if number == record:
                    break
                start = reader.line_num + 1
    except (OSError, csv.Error) as error:
        return f"{path} cannot be read as CSV: {error}"
    return (
        f"{path} line {start}: a quoted field opens here and is never closed, so it swallows "
        "the lines after it. Close or remove that quote; a file in another dialect needs "
        "KPI_TRUST_CSV_* (docs/raw-schemas.md)."
    )


def locate_malformed_line(path: Path) -> str:
    """The first line of CSV `path` whose field count differs from the header's (a quote left
    open swallows the lines after it, so the count differs at the line where it opened)."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            start = reader.line_num + 1
            for row in reader:
                if len(row) != len(header):
                    return (
                        f"{path} line {start}: {len(row)} fields where the header has "
                        f"{len(header)} (a quote left open, or an extra delimiter?). Fix or "
                        "remove that line; a file in another dialect needs KPI_TRUST_CSV_* "
                        "(docs/raw-schemas.md)."
                    )
                start = reader.line_num + 1
    except (OSError, csv.Error) as error:
        return f"{path} cannot be read as CSV: {error}"
    return f"{path} is not a CSV in the documented dialect (comma, double quotes, UTF-8)."


# DuckDB's encoding error names the line, not the file: the failing staging model names the log.
ENCODING_ERROR = re.compile(
    r"model (stg_api_gateway__api_calls|stg_game_telemetry__game_events)[\s\S]*?"
    r"CSV Error on Line: (\d+)[\s\S]*?Invalid unicode"
)
MODEL_LOGS = {
    "stg_api_gateway__api_calls": "api_calls",
    "stg_game_telemetry__game_events": "game_events",
}


def encoding_message(model: str, line: str) -> str:
    raw_dir = os.environ.get("KPI_TRUST_RAW_DIR", "data/generated")
    fmt = os.environ.get("KPI_TRUST_RAW_FORMAT", "auto")
    formats = ("csv", "csv.gz") if fmt == "auto" else (fmt,)
    candidates = [f"{raw_dir}/{MODEL_LOGS[model]}.{ext}" for ext in formats]
    path = next((c for c in candidates if Path(c).exists()), candidates[0])
    encoding = os.environ.get("KPI_TRUST_CSV_ENCODING", "utf-8")
    return (
        f"{path} line {line}: bytes that are not {encoding} text "
        "(a file saved as Latin-1 / Windows-1252, or not a CSV at all). Export it as UTF-8, or "
        "set KPI_TRUST_CSV_ENCODING to the file's encoding (utf-8, utf-16, latin-1)."
    )


def diagnose(output: str) -> str | None:
    """The first known cause in `output`, as one line; None when nothing is recognised."""
    sniffed = SNIFF_ERROR.search(output)
    if sniffed:
        return locate_malformed_line(Path(sniffed.group(1)))
    wrong_encoding = ENCODING_ERROR.search(output)
    if wrong_encoding:
        return encoding_message(*wrong_encoding.groups())
    open_quote = OPEN_QUOTE_ERROR.search(output)
    if open_quote:
        return locate_record(Path(open_quote.group(1)), int(open_quote.group(2)))
    for diagnosis in DIAGNOSES:
        match = diagnosis.pattern.search(output)
        if match:
            return diagnosis.message.format(*match.groups())
    return None


def check_warehouse(db_path: Path) -> None:
    """Refuse to start when the warehouse file is locked, not DuckDB, or the disk is full."""
    import duckdb

    db_path.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(db_path.parent).free
    if free < MIN_FREE_BYTES:
        raise UserError(
            f"only {free // 1024**2} MB free next to {db_path}: a build needs at least "
            f"{MIN_FREE_BYTES // 1024**2} MB. Free space or set KPI_TRUST_DB to another disk."
        )
    if not db_path.exists():
        return
    try:
        duckdb.connect(str(db_path)).close()
    except duckdb.Error as error:
        raise UserError(diagnose(str(error)) or f"cannot open {db_path}: {error}") from None


def strip_tracebacks(lines):
    """Yield the lines outside Python tracebacks (a traceback ends at its first unindented
    line, the exception itself, which is kept)."""
    in_traceback = False
    for line in lines:
        if line.startswith("Traceback (most recent call last):"):
            in_traceback = True
            continue
        if in_traceback:
            if line.startswith((" ", "\t")) or not line.strip():
                continue
            in_traceback = False
        yield line


def spark_command(dbt_args: list[str]) -> list[str]:
    """On Spark (KPI_TRUST_TARGET=spark): `dbt build` through .venv-spark's
    `python -m kpi_trust.spark_build`, which runs Great Expectations on Spark inside the build
    (docs/spark.md). The venv: KPI_TRUST_SPARK_VENV, default .venv-spark."""
    python = Path(os.environ.get("KPI_TRUST_SPARK_VENV", ".venv-spark")) / "bin" / "python"
    if not python.exists():
        raise UserError(
            f"KPI_TRUST_TARGET=spark needs the Spark venv ({python} is missing): run "
            "`make install-spark` (docs/spark.md)."
        )
    return [str(python), "-m", "kpi_trust.spark_build", "build", *dbt_args]


def run(args: argparse.Namespace) -> int:
    log_dir = Path(os.environ.get("DBT_LOG_PATH", "logs"))
    if os.environ.get("KPI_TRUST_TARGET", "duckdb") == "spark":
        command = spark_command(args.dbt_args)
    else:
        db_path = Path(os.environ.get("KPI_TRUST_DB", "warehouse/kpi_trust.duckdb")).resolve()
        check_warehouse(db_path)
        dbt = Path(sys.executable).parent / "dbt"
        command = [str(dbt if dbt.exists() else "dbt"), "build", *args.dbt_args]
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "kpi-trust-build.log"
    captured: list[str] = []
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert process.stdout is not None

        def logged():
            for line in process.stdout:
                log.write(line)
                captured.append(line)
                yield line

        try:
            for line in strip_tracebacks(logged()):
                if not NOISE.match(line):
                    sys.stdout.write(line)
                    sys.stdout.flush()
            code = process.wait()
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            raise UserError(
                "interrupted; the warehouse keeps the models that finished (a re-run rebuilds "
                f"the rest). Full output in {log_path}."
            ) from None
    if code != 0:
        cause = diagnose("".join(captured))
        if cause:
            print(f"kpi-trust build: {cause}", file=sys.stderr)
        print(
            f"kpi-trust build: dbt build failed (exit {code}); full output in {log_path}, "
            f"dbt's own log in {log_dir / 'dbt.log'}.",
            file=sys.stderr,
        )
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="run dbt build with clear messages for operational errors",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "dbt_args", nargs=argparse.REMAINDER, help="passed to dbt build (e.g. --select marts)"
    )
    parser.set_defaults(func=run)
