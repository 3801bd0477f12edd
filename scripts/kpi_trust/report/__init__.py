"""`kpi-trust report`: the page, the memo and the plots people read, from the warehouse.

Writes into `--out` (default `reports/`):
- `index.html`: one self-contained file (styles, script, charts inline; no request leaves it);
- `memo.md` and `memo.pdf`: the decision memo for the latest week;
- `plots/*.png`: KPI vs trust overlay, quality heatmap, reported vs adjusted, anomaly timeline.

Modules: `schema` (every table and column read, in one place), `data` (read-only access),
`memo` (the memo's numbers and text), `charts` (PNG), `svg` (inline charts), `sections_charts`
and `sections_tables` (each section of the page), `html` (the page).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from kpi_trust.cli import UserError


class Progress:
    """One line per step with its duration, so a slow step shows where the time goes."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()

    def step(self, text: str):
        return _Step(self, text)


class _Step:
    def __init__(self, progress: Progress, text: str) -> None:
        self.progress, self.text = progress, text

    def __enter__(self):
        self.start = time.perf_counter()
        if not self.progress.quiet:
            print(f"  {self.text} ...", end="", flush=True)
        return self

    def __exit__(self, *exc) -> None:
        if not self.progress.quiet:
            print(f" {time.perf_counter() - self.start:.1f} s", flush=True)


def build_report(db: Path, out: Path, quiet: bool = False) -> dict[str, Path]:
    """Write index.html, memo.md, memo.pdf and plots/ into `out`; returns what was written."""
    from kpi_trust.report import charts, html, memo
    from kpi_trust.report.data import MissingTable, load

    started = dt.datetime.now(dt.UTC)
    progress = Progress(quiet)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with progress.step("reading the warehouse"):
            data = load(db)
    except MissingTable as missing:
        raise UserError(f"{db}: {missing}") from None
    try:
        with progress.step("drawing plots (matplotlib)"):
            plots = charts.write_plots(data, out / "plots")
        with progress.step("writing the decision memo (Markdown, PDF)"):
            facts = memo.memo_facts(data)
            plot = "plots/anomaly_timeline.png" if "anomaly_timeline.png" in plots else None
            text = memo.render_markdown(facts, str(db), plot)
            (out / "memo.md").write_text(text, encoding="utf-8")
            page = memo.markdown_to_html(text, f"Decision memo {facts.latest_date}")
            memo.write_pdf(page, out / "memo.pdf", out)
        with progress.step("rendering index.html"):
            page = html.render(data, facts, started, sorted(plots))
            (out / "index.html").write_text(page, encoding="utf-8")
    finally:
        data.warehouse.close()
    if not quiet:
        print(f"  done in {time.perf_counter() - progress.started:.1f} s")
    return {
        "index.html": out / "index.html",
        "memo.md": out / "memo.md",
        "memo.pdf": out / "memo.pdf",
        **{f"plots/{name}": path for name, path in plots.items()},
    }


def run(args: argparse.Namespace) -> int:
    from kpi_trust.where import warehouse_path

    db = Path(args.db).resolve() if args.db else warehouse_path()
    if not db.exists():
        raise UserError(f"no warehouse at {db}: run `make run` (or `kpi-trust build`) first")
    out = Path(args.out)
    try:
        import duckdb

        duckdb.connect(str(db), read_only=True).close()
    except duckdb.Error as error:
        first = str(error).splitlines()[0]
        raise UserError(f"cannot open {db} read-only ({first}); is a build writing it?") from None
    if not args.quiet:
        print(f"Report of {db} into {out}/")
    try:
        written = build_report(db, out, quiet=args.quiet)
    except OSError as error:  # an output folder that cannot be written, a full disk
        where = error.filename or out
        raise UserError(f"cannot write {where}: {error.strerror or error}") from None
    if not args.quiet:
        for name in written:
            print(f"  {out / name}")
        print(f"Open {(out / 'index.html').resolve()} in a browser (works offline).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the HTML report, the decision memo (Markdown, PDF) and PNG plots",
        description="Read the warehouse (read-only) and write OUT/index.html (one "
        "self-contained page: trust, KPI charts, verdicts, quality signals, root causes, "
        "failing dbt tests and GE expectations, quarantine, run metadata), OUT/memo.md and "
        "OUT/memo.pdf (the decision memo for the latest week) and OUT/plots/*.png. Sections "
        "whose tables are missing are left out and listed at the end of the page.",
    )
    parser.add_argument(
        "--db",
        help="the DuckDB warehouse (default: $KPI_TRUST_DB or warehouse/kpi_trust.duckdb)",
    )
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(func=run)


__all__ = ["build_report", "register"]
