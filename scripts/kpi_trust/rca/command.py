"""`kpi-trust rca FILE.csv`: the root causes of a leaf table's deviation from expected.

Each row is a leaf: dimension columns (every column not named as a measure or ignored) and the
measure's actual and expected values. ``--actual A --expected E`` for an additive measure
(counts, sums); for a ratio measure give its numerator and denominator, each as two columns
(``--numerator N_ACTUAL N_EXPECTED --denominator D_ACTUAL D_EXPECTED``) or as one name joined to
the --actual / --expected column names (``--actual real --expected predict --numerator a
--denominator b`` reads real_a, predict_a, real_b, predict_b). The output lists the root-cause
sets, one per line: rank, the conjunction (``dim=value&dim=value``), score, explained share,
actual and expected, and for ratios the rate and mix parts. Method: docs/root-cause.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from kpi_trust.cli import UserError
from kpi_trust.detect import read_csv
from kpi_trust.rca.localize import DEFAULT_MIN_MIX_SHARE, Localization, localize, localize_ratio
from kpi_trust.rca.search import DEFAULT_ALPHA, DEFAULT_MAX_CAUSES

OUTPUT_COLUMNS = (
    "rank",
    "root_cause",
    "score",
    "explained_share",
    "actual",
    "expected",
    "ratio",
    "effect",
    "rate_share",
    "mix_share",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rca",
        help="rank the root causes (dimension=value combinations) of a leaf table's deviation",
        description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1],
    )
    parser.add_argument("file", type=Path, metavar="FILE.csv", help="leaf table (CSV or Parquet)")
    parser.add_argument("--actual", metavar="COL", help="actual value column")
    parser.add_argument("--expected", metavar="COL", help="expected (forecast) value column")
    parser.add_argument(
        "--numerator",
        nargs="+",
        metavar="COL",
        help="ratio measure: numerator ACTUAL EXPECTED (or one name, see above)",
    )
    parser.add_argument(
        "--denominator",
        nargs="+",
        metavar="COL",
        help="ratio measure: denominator ACTUAL EXPECTED (or one name, see above)",
    )
    parser.add_argument(
        "--dimension",
        action="append",
        metavar="D",
        help="a dimension column (repeatable; default: every column not used as a measure)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="C",
        help="a column that is neither dimension nor measure, e.g. a timestamp (repeatable)",
    )
    parser.add_argument(
        "--max-attributes",
        type=int,
        metavar="N",
        help="most dimensions in one root cause (default: all)",
    )
    parser.add_argument(
        "--max-causes",
        type=int,
        default=DEFAULT_MAX_CAUSES,
        metavar="K",
        help=f"most root causes reported (default {DEFAULT_MAX_CAUSES})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help=f"chance that noise alone yields a root cause, per table (default {DEFAULT_ALPHA})",
    )
    parser.add_argument(
        "--min-mix-share",
        type=float,
        default=DEFAULT_MIN_MIX_SHARE,
        help="ratios: least share of the movement a traffic shift (mix effect) must carry to "
        "be reported (default 1/3)",
    )
    parser.add_argument(
        "--format",
        choices=("csv", "json", "text"),
        default="csv",
        help="csv (default), json or a human-readable text",
    )
    parser.add_argument("-o", "--output", type=Path, help="write here (default: stdout)")
    parser.set_defaults(func=run)


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".parquet":
        if not path.exists():
            raise UserError(f"{path}: no such file")
        try:
            frame = pd.read_parquet(path)
        except Exception as error:  # noqa: BLE001 - any reader failure is the file's problem
            raise UserError(f"{path}: not a readable Parquet file ({error})") from error
        if frame.empty:
            raise UserError(f"{path}: has no rows")
        return frame
    return read_csv(path)


def _pair(path: Path, frame, role: str, given: list[str], args) -> tuple[str, str]:
    if len(given) == 2:
        pair = (given[0], given[1])
    elif len(given) == 1:
        if not (args.actual and args.expected):
            raise UserError(
                f"--{role} {given[0]}: one name needs --actual and --expected to join it to "
                f"(or give two columns: --{role} ACTUAL EXPECTED)"
            )
        pair = (
            _joined(path, frame, args.actual, given[0]),
            _joined(path, frame, args.expected, given[0]),
        )
    else:
        raise UserError(f"--{role}: give ACTUAL EXPECTED columns or one name, not {len(given)}")
    return pair


def _joined(path: Path, frame, prefix: str, name: str) -> str:
    for candidate in (f"{prefix}_{name}", f"{name}_{prefix}", f"{prefix}{name}"):
        if candidate in frame.columns:
            return candidate
    raise UserError(
        f"{path}: no column '{prefix}_{name}' or '{name}_{prefix}' "
        f"(columns: {', '.join(map(str, frame.columns))})"
    )


def _check_numeric(path: Path, frame, column: str) -> None:
    if column not in frame.columns:
        raise UserError(
            f"{path}: no column '{column}' (columns: {', '.join(map(str, frame.columns))})"
        )
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise UserError(
            f"{path}: column '{column}', row {row + 2}: '{raw.iloc[row]}' is not a number"
        )
    if values.isna().all():
        raise UserError(f"{path}: column '{column}' has no numeric value")
    frame[column] = values.fillna(0.0)


def _rows(result: Localization) -> list[dict]:
    rows = []
    for cause in result.causes:
        rows.append(
            {
                "rank": cause.rank,
                "root_cause": cause.label or "(all: broad movement)",
                "score": round(cause.score, 3),
                "explained_share": round(cause.explained_share, 4),
                "actual": cause.actual,
                "expected": round(cause.expected, 6),
                "ratio": round(cause.ratio, 4),
                "effect": cause.effect,
                "rate_share": None if cause.rate_share is None else round(cause.rate_share, 4),
                "mix_share": None if cause.mix_share is None else round(cause.mix_share, 4),
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if path.is_dir():
        raise UserError(f"{path}: is a directory, not a file")
    frame = _read(path)
    frame.columns = [str(c) for c in frame.columns]
    ratio = args.numerator is not None or args.denominator is not None
    if ratio:
        if args.numerator is None or args.denominator is None:
            raise UserError("a ratio measure needs both --numerator and --denominator")
        numerator = _pair(path, frame, "numerator", args.numerator, args)
        denominator = _pair(path, frame, "denominator", args.denominator, args)
        measures = [*numerator, *denominator]
    else:
        if not (args.actual and args.expected):
            raise UserError(
                "give --actual COL and --expected COL (or a ratio's --numerator and --denominator)"
            )
        measures = [args.actual, args.expected]
    for column in measures:
        _check_numeric(path, frame, column)
    for column in args.ignore:
        if column not in frame.columns:
            raise UserError(f"{path}: no column '{column}' to ignore")
    used = {*measures, *args.ignore}
    if ratio and args.actual and args.expected:
        used |= {args.actual, args.expected}
    if args.dimension:
        for column in args.dimension:
            if column not in frame.columns:
                raise UserError(
                    f"{path}: no dimension column '{column}' (columns: {', '.join(frame.columns)})"
                )
        dimensions = list(args.dimension)
    else:
        dimensions = [c for c in frame.columns if c not in used]
    if not dimensions:
        raise UserError(f"{path}: no dimension column (every column is a measure or ignored)")
    if args.max_causes < 1 or (args.max_attributes is not None and args.max_attributes < 1):
        raise UserError("--max-causes and --max-attributes must be at least 1")
    if not 0 < args.alpha < 1:
        raise UserError("--alpha must be between 0 and 1")
    # Leaves in a canonical order: the search's greedy steps depend on the order of the leaves,
    # so the same leaves listed in another order could name other causes.
    frame = frame.sort_values(dimensions, kind="stable", na_position="last", ignore_index=True)
    options = {
        "max_attributes": args.max_attributes,
        "max_causes": args.max_causes,
        "alpha": args.alpha,
    }
    if ratio:
        result = localize_ratio(
            frame, dimensions, numerator, denominator, min_mix_share=args.min_mix_share, **options
        )
    else:
        result = localize(frame, dimensions, args.actual, args.expected, **options)
    _write(result, args)
    return 0


def _write(result: Localization, args: argparse.Namespace) -> None:
    rows = _rows(result)
    if args.format == "json":
        text = (
            json.dumps(
                {
                    "leaves": result.n_leaves,
                    "dimensions": list(result.dimensions),
                    "total_actual": result.total_actual,
                    "total_expected": result.total_expected,
                    "is_broad": result.is_broad,
                    "penalty": round(result.penalty, 3),
                    "root_causes": rows,
                },
                indent=2,
            )
            + "\n"
        )
    elif args.format == "text":
        lines = [
            f"{result.n_leaves} leaves over {', '.join(result.dimensions)}: "
            f"actual {result.total_actual:,.6g} vs expected {result.total_expected:,.6g}"
        ]
        if not rows:
            lines.append("no root cause stands out from the noise (broad or no movement)")
        for row in rows:
            parts = (
                f" (rate {row['rate_share']:.0%}, mix {row['mix_share']:.0%})"
                if (row["rate_share"] is not None)
                else ""
            )
            lines.append(
                f"{row['rank']:>2}. {row['root_cause']}  score {row['score']:.1f}  explains "
                f"{row['explained_share']:.0%} of the deviation{parts}"
            )
        text = "\n".join(lines) + "\n"
    else:
        text = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS)).to_csv(index=False)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
