"""`kpi-trust generate`: the command-line face of the generator.

Values are parsed here rather than by argparse `type=` hooks so that every bad value becomes a
`UserError`, which the CLI prints as one clear line (exit code 2) instead of usage noise.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from datetime import date
from pathlib import Path

from .config import DEFAULT_PLAYERS, FORMATS, INCIDENT_NAMES, GeneratorConfig
from .core import generate

_DEFAULTS = GeneratorConfig()


def _int(args: argparse.Namespace, name: str, minimum: int) -> int:
    from kpi_trust.cli import UserError

    raw = getattr(args, name)
    flag = "--" + name.replace("_", "-")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise UserError(f"{flag} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise UserError(f"{flag} must be >= {minimum}, got {value}")
    return value


def config_from_args(args: argparse.Namespace) -> GeneratorConfig:
    """Turn parsed CLI options into a validated GeneratorConfig (UserError on bad input)."""
    from kpi_trust.cli import UserError

    try:
        start = date.fromisoformat(args.start_date)
    except ValueError:
        raise UserError(f"--start-date must be YYYY-MM-DD, got {args.start_date!r}") from None
    fmt = args.format.lower()
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}, got {args.format!r}")
    types = None
    if args.incident_types is not None:
        types = tuple(t.strip() for t in args.incident_types.split(",") if t.strip())
        if not types:
            raise UserError("--incident-types needs at least one name (or use --no-incidents)")
    try:
        return GeneratorConfig(
            seed=_int(args, "seed", 0),
            start_date=start,
            days=_int(args, "days", 1),
            api_calls_per_day=_int(args, "api_calls_per_day", 0),
            players=_int(args, "players", 0),
            fmt=fmt,
            warmup_days=_int(args, "warmup_days", 0),
            incidents=not args.no_incidents,
            incident_types=types,
        )
    except ValueError as error:
        raise UserError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # printed below, once, as plain lines
        result = generate(cfg, Path(args.out))
    for note in result.warnings:
        print(f"kpi-trust generate: warning: {note}", file=sys.stderr)
    for name, path in result.paths.items():
        print(f"{result.row_counts[name]:>10,} rows  {path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    d = _DEFAULTS
    parser = subparsers.add_parser(
        "generate",
        help="write labelled synthetic API-call and game-event logs",
        description=(
            "Write api_calls.<format>, game_events.<format> and injected_incidents.csv (the "
            "ground-truth labels of every injected incident). The same options always give "
            "byte-identical files."
        ),
    )
    parser.add_argument("--seed", default=str(d.seed), help=f"random seed (default {d.seed})")
    parser.add_argument(
        "--start-date",
        default=d.start_date.isoformat(),
        help=f"first UTC day of the logs, YYYY-MM-DD (default {d.start_date})",
    )
    parser.add_argument(
        "--days", default=str(d.days), help=f"number of days to simulate (default {d.days})"
    )
    parser.add_argument(
        "--api-calls-per-day",
        default=str(d.api_calls_per_day),
        help=f"average API calls per day before weekly seasonality (default {d.api_calls_per_day})",
    )
    parser.add_argument(
        "--players",
        default=str(DEFAULT_PLAYERS),
        help=(
            "players installing over the period incl. a 60-day pre-history; scales DAU and game "
            f"events (default {DEFAULT_PLAYERS}: DAU ~3,000-4,500)"
        ),
    )
    parser.add_argument(
        "--format",
        default=d.fmt,
        metavar="{csv,parquet}",
        help="log file format: csv (dbt seeds, default) or parquet (large runs); labels are CSV",
    )
    parser.add_argument(
        "--out", default="data/generated", help="output directory (default data/generated)"
    )
    parser.add_argument(
        "--warmup-days",
        default=str(d.warmup_days),
        help=f"clean days before the first incident, for baselines (default {d.warmup_days})",
    )
    parser.add_argument(
        "--no-incidents", action="store_true", help="write clean logs and an empty label file"
    )
    parser.add_argument(
        "--incident-types",
        default=None,
        metavar="A,B,...",
        help=(
            "comma-separated incidents to inject (default all). Names: " + ", ".join(INCIDENT_NAMES)
        ),
    )
    parser.set_defaults(func=run)
