"""`kpi-trust detect FILE.csv`: score every numeric column of any CSV for anomalies.

The CSV needs one date or timestamp column (found by name or by parsing, or named with
``--time-column``) and one or more numeric columns. Daily or sub-daily grain and the season are
inferred (see docs/anomalies.md). The output has one row per timestamp and column:
``timestamp, column, value, expected, lower, upper, score, is_anomaly, detectors_agreeing``,
then ``status, direction, severity``, the robust z, the baseline used and per-detector scores
and flags. Problems a user can fix (missing or empty file, no date column, unparseable dates,
no numeric column, a named column missing or not numeric) end in one line naming file and column.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

import pandas as pd

from kpi_trust.cli import UserError

TIME_NAMES = ("timestamp", "datetime", "date", "time", "ts", "ds", "day", "period")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "detect",
        help="score the numeric columns of a CSV for anomalies",
        description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1],
    )
    parser.add_argument("file", type=Path, metavar="FILE.csv", help="CSV with a time column")
    parser.add_argument("-o", "--output", type=Path, help="write the scores here (default: stdout)")
    parser.add_argument(
        "--consensus",
        type=int,
        choices=(1, 2, 3),
        default=2,
        help="detectors that must agree: 1 sensitive, 2 balanced (default), 3 strict",
    )
    parser.add_argument(
        "--column",
        action="append",
        metavar="C",
        help="score only this column (repeatable; default: every numeric column)",
    )
    parser.add_argument("--time-column", metavar="T", help="the date/timestamp column")
    parser.set_defaults(func=run)


def read_csv(path: Path) -> pd.DataFrame:
    """The file as strings (types are decided per column later), with its delimiter sniffed."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a directory, not a CSV file")
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        sample = handle.read(65536)
    if not sample.strip():
        raise UserError(f"{path}: the file is empty")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(path, sep=delimiter, dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not a readable CSV ({str(error).strip()})") from error
    if frame.empty:
        raise UserError(f"{path}: has a header but no data rows")
    return frame


def parse_times(values: pd.Series) -> tuple[pd.Series, str | None]:
    """Parsed timestamps (UTC if offsets are mixed) and the first value that is not a date."""
    text = values.str.strip()
    parsed = None
    for options in ({}, {"format": "mixed"}, {"format": "mixed", "utc": True}):
        try:
            parsed = pd.to_datetime(text, errors="coerce", **options)
            break
        except (ValueError, TypeError, OverflowError):
            continue
    if parsed is None:
        return pd.Series(pd.NaT, index=values.index), text.dropna().iloc[0]
    bad = parsed.isna() & text.notna() & (text != "")
    return parsed, (text[bad].iloc[0] if bad.any() else None)


def _looks_like_time(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in TIME_NAMES or lowered.endswith(("_at", "_date", "_time", "_ts"))


def _numeric(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.strip().replace("", None), errors="coerce")


def find_time_column(path: Path, frame: pd.DataFrame, name: str | None) -> tuple[str, pd.Series]:
    """The named time column, or the first column named or parsing like one."""
    if name is not None:
        if name not in frame.columns:
            raise UserError(f"{path}: no column '{name}' (columns: {', '.join(frame.columns)})")
        candidates = [name]
    else:
        hinted = [c for c in frame.columns if _looks_like_time(str(c))]
        others = [c for c in frame.columns if c not in hinted]
        candidates = hinted + others
    for column in candidates:
        values = frame[column]
        if values.dropna().empty:
            continue
        is_number = _numeric(values).notna().sum() == values.dropna().str.strip().ne("").sum()
        if is_number and name is None:
            continue  # numbers are values to score, not dates
        parsed, bad = parse_times(values)
        if bad is None and parsed.notna().any() and not is_number:
            return column, parsed
        if column == name or _looks_like_time(str(column)):
            row = int(values.index[values.str.strip() == bad][0]) + 2 if bad else "?"
            raise UserError(
                f"{path}: column '{column}' has values that are not dates or timestamps "
                f"(e.g. '{bad}' on line {row})"
            )
    raise UserError(
        f"{path}: no date or timestamp column found (columns: {', '.join(frame.columns)}); "
        "name one with --time-column"
    )


def find_value_columns(
    path: Path, frame: pd.DataFrame, time_column: str, wanted: list[str] | None
) -> dict[str, pd.Series]:
    """Numeric columns to score: the ones asked for (each must be numeric) or all of them."""
    columns = wanted or [c for c in frame.columns if c != time_column]
    out = {}
    for column in columns:
        if column not in frame.columns:
            raise UserError(f"{path}: no column '{column}' (columns: {', '.join(frame.columns)})")
        if column == time_column:
            raise UserError(f"{path}: column '{column}' is the time column, not a value")
        raw = frame[column].str.strip().replace("", None)
        numbers = _numeric(frame[column])
        bad = raw.notna() & numbers.isna()
        if bad.any() or numbers.notna().sum() == 0:
            if wanted:
                example = raw[bad].iloc[0] if bad.any() else ""
                line = int(raw[bad].index[0]) + 2 if bad.any() else "-"
                raise UserError(
                    f"{path}: column '{column}' is not numeric (e.g. '{example}' on line {line})"
                )
            continue
        out[column] = numbers
    if not out:
        raise UserError(f"{path}: no numeric column to score (time column: '{time_column}')")
    return out


def load_series(
    path: Path, time_column: str | None = None, columns: list[str] | None = None
) -> tuple[str, pd.Series, dict[str, pd.Series]]:
    """The CSV's time column name, its parsed times and the numeric columns to score.

    Rows whose time is empty are dropped from all of them. The one reading of a CSV that
    `kpi-trust detect`, `POST /score/csv` and the dashboard's upload page share.
    """
    frame = read_csv(path)
    name, times = find_time_column(path, frame, time_column)
    values = find_value_columns(path, frame, name, columns)
    keep = times.notna()
    return name, times[keep], {column: numbers[keep] for column, numbers in values.items()}


def load_series_text(
    text: str, name: str = "upload.csv"
) -> tuple[str, pd.Series, dict[str, pd.Series]]:
    """:func:`load_series` on CSV text a user sent (API body, upload); errors name `name`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).name or "upload.csv")
        path.write_text(text)
        try:
            return load_series(path)
        except UserError as error:
            raise UserError(str(error).replace(str(path), name)) from error


def run(args: argparse.Namespace) -> int:
    from kpi_trust.anomaly import DetectConfig, detect_series
    from kpi_trust.anomaly.config import resolve

    path: Path = args.file
    _, times, values = load_series(path, args.time_column, args.column)
    config = DetectConfig(consensus=args.consensus)
    results = []
    for column, numbers in values.items():
        scored = detect_series(times, numbers, config)
        scored.insert(1, "column", column)
        results.append(scored)
    out = pd.concat(results, ignore_index=True)
    if args.output:
        out.to_csv(args.output, index=False)
    else:
        out.to_csv(sys.stdout, index=False)
    try:
        grain = resolve(config, pd.DatetimeIndex(times))
        season = grain.season if grain.season is not None else "none"
        described = f"step {grain.step}, season {season}"
    except ValueError:
        described = "too few timestamps to infer a step"
    print(
        f"{path}: {len(values)} column(s) x {len(times)} rows ({described}); "
        f"{int(out['is_anomaly'].sum())} anomalies at consensus {args.consensus}; "
        f"{int((out['status'] == 'insufficient_history').sum())} rows with insufficient history"
        + (f"; written to {args.output}" if args.output else ""),
        file=sys.stderr,
    )
    return 0
