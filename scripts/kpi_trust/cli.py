"""One command-line entry point, `kpi-trust`, with a sub-command per task.

Each command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` to a callable taking the parsed namespace and returning an exit code. Errors a user
can fix are raised as ``UserError`` and printed as one clear line, without a stack trace.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute sub-commands, in the order `--help` lists them.
COMMAND_MODULES = (
    "kpi_trust.generator",
    "kpi_trust.build",
    "kpi_trust.where",
    "kpi_trust.detect",
    "kpi_trust.rca.command",
    "kpi_trust.kpi_docs",
    "kpi_trust.policy",
    "kpi_trust.report",
    "kpi_trust.serve.command",
)


class UserError(Exception):
    """A problem with the user's input or environment, reported without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpi-trust",
        description="KPI Trust Warehouse: generate labelled logs and work with the warehouse.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if not hasattr(args, "dbt_args"):  # only `build` passes options through (to dbt)
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.dbt_args = [*extra, *args.dbt_args]
    try:
        return int(args.func(args) or 0)
    except UserError as error:
        print(f"kpi-trust {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
