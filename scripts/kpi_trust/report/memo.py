"""The decision memo for the latest week: Markdown from the marts, PDF from its HTML.

`memo_facts` computes every number the memo states (pure pandas on the frames `data.load`
read); `render_markdown` only formats them, so the tests can check each number against SQL.
What counts as what:
- data incident: a verdict `data_incident`, or a KPI row whose trust level is `low` (the data
  behind the number is broken that day, README "Reading the trust score") — grouped per day,
  dataset and leading reason, since one broken batch lowers every KPI of its dataset;
- real movement: a verdict `real_movement` (the KPI moved on data the trust score vouches for);
  listed when it is on a total or of severity warning / critical (robust |z| >= 5); the
  severity-info moves of single slices are counted, not listed (`is_material_move`);
- repaired: a verdict `repaired_incident`, and every KPI row whose adjusted `value` differs from
  `value_reported` (the warehouse repaired the data behind it);
- uncertain: a verdict `uncertain` (too little data to tell);
- too little data to judge: KPI totals at trust level `insufficient_data` (a loss as large as
  `min_detectable_loss` could go unseen), so an incident there cannot be ruled out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kpi_trust.report.data import ReportData, totals

# Two values are "the same number" when they agree to this relative tolerance (float noise of
# sums computed in different orders), not a threshold on the size of a repair.
SAME_VALUE_RTOL = 1e-9
# Rows listed per memo table; the rest are counted in an "and N more" line.
MAX_ROWS = 12
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
# Severities the memo lists on a single slice. Each daily series alarms about once a year by
# chance (docs/anomalies.md, "Thresholds"), so across a warehouse's hundreds of slice series a
# few info moves (robust |z| 3-5) a week are expected from noise alone; |z| >= 5 is not.
LISTED_SLICE_SEVERITIES = ("warning", "critical")


def is_material_move(frame: pd.DataFrame) -> pd.Series:
    """Moves worth a line in the memo: any total, or a slice's at warning / critical severity."""
    return (frame["dimension_name"] == "all") | frame["severity"].isin(LISTED_SLICE_SEVERITIES)


def lead_reason(reasons: object) -> str:
    """The first piece of evidence in a `top_reasons` text (its name before the colon)."""
    text = str(reasons or "").strip()
    match = re.match(r"^([A-Za-z0-9_ ]+?):", text)
    if match:
        return match.group(1).strip()
    return text[:60] or "no reason given"


def format_value(value: object, unit: object = None) -> str:
    """A KPI value as people read it: ratios as percentages, money with 2 decimals."""
    if value is None or pd.isna(value):
        return "–"
    number = float(value)
    unit_text = str(unit or "")
    if unit_text in {"ratio", "share", "rate"}:
        return f"{number * 100:.2f} %"
    if unit_text == "usd":
        return f"{number:,.2f} USD"
    if unit_text == "ms":
        return f"{number:,.0f} ms"
    if abs(number) >= 100 or float(number).is_integer():
        return f"{number:,.0f}"
    return f"{number:,.3f}"


def change_pct(value: object, expected: object) -> float | None:
    """Relative change of value vs expected in percent; None when expected is 0 or missing."""
    if value is None or expected is None or pd.isna(value) or pd.isna(expected):
        return None
    if float(expected) == 0:
        return None
    return (float(value) - float(expected)) / abs(float(expected)) * 100


@dataclass
class MemoFacts:
    """Every number the memo states, computed from the marts."""

    week_start: dt.date
    latest_date: dt.date
    n_kpis: int
    total_rows: int
    total_levels: dict[str, int]
    low_groups: pd.DataFrame
    n_low_rows: int
    insufficient: pd.DataFrame
    verdict_counts: dict[str, int]
    data_incidents: pd.DataFrame
    real_movements: pd.DataFrame
    minor_real_movements: pd.DataFrame
    repaired_verdicts: pd.DataFrame
    uncertain: pd.DataFrame
    repaired_rows: pd.DataFrame
    root_causes: pd.DataFrame | None
    has_trust: bool
    has_verdicts: bool
    notes: list[str] = field(default_factory=list)


def _in_week(frame: pd.DataFrame, data: ReportData, column: str = "kpi_date") -> pd.DataFrame:
    dates = frame[column]
    return frame[(dates >= data.week_start) & (dates <= data.latest_date)]


def _sort_verdicts(frame: pd.DataFrame) -> pd.DataFrame:
    rank = frame["severity"].map(SEVERITY_ORDER).fillna(3)
    is_total = (frame["dimension_name"] == "all").map({True: 0, False: 1})
    return (
        frame.assign(_rank=rank, _total=is_total)
        .sort_values(["_total", "_rank", "kpi_date", "kpi_name"])
        .drop(columns=["_rank", "_total"])
        .reset_index(drop=True)
    )


def memo_facts(data: ReportData) -> MemoFacts:
    """Compute the memo's numbers for the 7 days ending on the latest day of kpi_daily."""
    kpi_week = _in_week(data.kpi, data)
    units = dict(zip(data.kpis["kpi_name"], data.kpis["unit"], strict=False))
    total_week = totals(kpi_week)

    levels: dict[str, int] = {}
    low_groups = pd.DataFrame(
        columns=[
            "kpi_date",
            "dataset",
            "reason",
            "n_kpis",
            "n_rows",
            "n_slices",
            "has_total",
            "min_score",
            "kpis",
            "example",
        ]
    )
    n_low = 0
    insufficient = pd.DataFrame(columns=["kpi_name", "n_days", "max_undetectable_loss"])
    if data.trust is not None:
        trust_week = _in_week(data.trust, data)
        blind = totals(trust_week)
        blind = blind[blind["trust_level"] == "insufficient_data"]
        if not blind.empty:
            insufficient = (
                blind.groupby("kpi_name")
                .agg(
                    n_days=("kpi_date", "nunique"),
                    max_undetectable_loss=("min_detectable_loss", "max"),
                )
                .reset_index()
                .sort_values(["n_days", "kpi_name"], ascending=[False, True])
                .reset_index(drop=True)
            )
        levels = totals(trust_week)["trust_level"].value_counts().to_dict()
        low = trust_week[trust_week["trust_level"] == "low"].copy()
        n_low = len(low)
        if not low.empty:
            low["reason"] = low["top_reasons"].map(lead_reason)
            low["dataset"] = low["dataset"].fillna("")
            low["slice"] = low["dimension_name"] + "=" + low["dimension_value"]
            low["is_total"] = low["dimension_name"] == "all"
            grouped = low.groupby(["kpi_date", "dataset", "reason"], sort=True)
            low_groups = grouped.agg(
                n_kpis=("kpi_name", "nunique"),
                n_rows=("kpi_name", "size"),
                n_slices=("slice", "nunique"),
                has_total=("is_total", "any"),
                min_score=("trust_score", "min"),
                kpis=("kpi_name", lambda names: ", ".join(sorted(set(names)))),
                example=("top_reasons", "first"),
            ).reset_index()

    empty_verdicts = pd.DataFrame(columns=["kpi_name", "kpi_date", "verdict"])
    verdicts = empty_verdicts
    if data.verdicts is not None:
        verdicts = _in_week(data.verdicts, data)
    counts = verdicts["verdict"].value_counts().to_dict() if len(verdicts) else {}

    def pick(verdict: str) -> pd.DataFrame:
        if data.verdicts is None:
            return empty_verdicts
        chosen = verdicts[verdicts["verdict"] == verdict].copy()
        chosen["unit"] = chosen["kpi_name"].map(units)
        return _sort_verdicts(chosen)

    # Rows repaired this week: the adjusted value differs from the naive (reported) one.
    gap = (kpi_week["value"] - kpi_week["value_reported"]).abs()
    scale = kpi_week[["value", "value_reported"]].abs().max(axis=1).clip(lower=1e-300)
    differs = (gap > SAME_VALUE_RTOL * scale) | (
        kpi_week["value"].isna() != kpi_week["value_reported"].isna()
    )
    repaired = kpi_week[differs].assign(relative_gap=(gap / scale)[differs]).copy()
    repaired["unit"] = repaired["kpi_name"].map(units)
    repaired = repaired.sort_values(
        ["relative_gap", "kpi_date"], ascending=[False, True]
    ).reset_index(drop=True)

    # The best-ranked root cause of each anomaly of the week (when the table exists).
    causes = None
    if data.root_causes is not None:
        causes = _in_week(data.root_causes, data).copy()
        causes["rank"] = pd.to_numeric(causes["rank"], errors="coerce")
        keys = ["kpi_date", "kpi_name", "dimension_name", "dimension_value"]
        causes = (
            causes.sort_values([*keys, "rank"], na_position="last")
            .drop_duplicates(keys, keep="first")
            .reset_index(drop=True)
        )

    real = pick("real_movement")
    material = is_material_move(real) if len(real) else pd.Series(dtype=bool)
    return MemoFacts(
        week_start=data.week_start,
        latest_date=data.latest_date,
        n_kpis=int(total_week["kpi_name"].nunique()),
        total_rows=len(total_week),
        total_levels={str(k): int(v) for k, v in levels.items()},
        low_groups=low_groups,
        n_low_rows=n_low,
        insufficient=insufficient,
        verdict_counts={str(k): int(v) for k, v in counts.items()},
        data_incidents=pick("data_incident"),
        real_movements=real[material].reset_index(drop=True) if len(real) else real,
        minor_real_movements=real[~material].reset_index(drop=True) if len(real) else real,
        repaired_verdicts=pick("repaired_incident"),
        uncertain=pick("uncertain"),
        repaired_rows=repaired,
        root_causes=causes,
        has_trust=data.trust is not None,
        has_verdicts=data.verdicts is not None,
    )


def _table(header: list[str], rows: list[list[str]], total: int) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows[:MAX_ROWS]:
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    if total > MAX_ROWS:
        lines.append("")
        lines.append(f"… and {total - MAX_ROWS} more (all of them: `reports/index.html`).")
    return lines


def _verdict_rows(frame: pd.DataFrame) -> list[list[str]]:
    rows = []
    for row in frame.itertuples():
        change = change_pct(row.value, row.expected)
        rows.append(
            [
                str(row.kpi_date),
                row.kpi_name,
                f"{row.dimension_name}={row.dimension_value}",
                str(row.direction or "–"),
                format_value(row.value, row.unit),
                format_value(row.expected, row.unit),
                "–" if change is None else f"{change:+.0f} %",
                str(row.moved_trust_level or "–"),
            ]
        )
    return rows


VERDICT_HEADER = ["day", "KPI", "slice", "move", "value", "expected", "change", "trust"]


def render_markdown(facts: MemoFacts, source: str, plot: str | None = None) -> str:
    """The memo as Markdown. Every number comes from `facts`; the words around them are fixed."""
    week = f"{facts.week_start} to {facts.latest_date}"
    n_real = len(facts.real_movements)
    n_minor = len(facts.minor_real_movements)
    n_incident_verdicts = len(facts.data_incidents)
    n_repaired_verdicts = len(facts.repaired_verdicts)
    n_uncertain = len(facts.uncertain)
    high = facts.total_levels.get("high", 0)
    lines = [
        f"# Decision memo: week {week}",
        "",
        f"Read from `{source}`. Every number below is read from the warehouse's marts "
        "(`kpi_daily`, `kpi_trust_daily`, `kpi_verdicts_daily`); nothing is typed by hand.",
        "",
        "## The week in one paragraph",
        "",
    ]
    summary = (
        f"{facts.n_kpis} KPIs over {facts.total_rows} KPI-days (their totals). "
        if facts.total_rows
        else "No KPI totals this week. "
    )
    if facts.has_trust:
        summary += (
            f"{high} of the {facts.total_rows} totals are trusted (level high); "
            f"{facts.total_levels.get('low', 0)} are low, "
            f"{facts.total_levels.get('medium', 0)} medium and "
            f"{facts.total_levels.get('insufficient_data', 0)} have too little data to judge. "
            f"{facts.n_low_rows} KPI rows (totals and slices) are low-trust, in "
            f"{len(facts.low_groups)} group(s) of day, dataset and cause. "
        )
    if facts.has_verdicts:
        summary += (
            f"The anomaly detectors flagged moves judged {n_real + n_minor} real movement(s), "
            f"{n_incident_verdicts} data incident(s), {n_repaired_verdicts} repaired "
            f"incident(s) and {n_uncertain} uncertain."
        )
    else:
        summary += "No verdict table in this warehouse: moves are not judged."
    lines += [summary, ""]

    lines += ["## Data incidents: do not act on these numbers", ""]
    if not facts.has_trust:
        lines += ["No trust table in this warehouse.", ""]
    elif facts.low_groups.empty and facts.data_incidents.empty:
        lines += ["None this week: no KPI row is low-trust and no move was a data incident.", ""]
    if not facts.low_groups.empty:
        lines += [
            "Low trust (the data behind the number is broken that day), per day, dataset and "
            "leading cause:",
            "",
        ]
        rows = [
            [
                str(group.kpi_date),
                group.dataset or "–",
                group.reason,
                str(group.n_kpis),
                str(group.n_slices),
                "yes" if group.has_total else "no",
                f"{group.min_score:.0f}",
            ]
            for group in facts.low_groups.itertuples()
        ]
        lines += _table(
            ["day", "dataset", "leading cause", "KPIs", "slices", "total hit", "lowest score"],
            rows,
            len(rows),
        )
        lines += [""]
        for group in facts.low_groups.head(MAX_ROWS).itertuples():
            lines.append(f"- **{group.kpi_date}, {group.dataset}**: {group.example}")
        lines += [""]
    if not facts.data_incidents.empty:
        lines += ["Moves the verdict calls data incidents:", ""]
        lines += _table(
            VERDICT_HEADER, _verdict_rows(facts.data_incidents), len(facts.data_incidents)
        )
        lines += [""]

    lines += ["## Real movements: act on these", ""]
    if facts.real_movements.empty:
        none = "None on a total or above severity info this week."
        lines += [none if facts.has_verdicts else "No verdict table.", ""]
    else:
        lines += _table(VERDICT_HEADER, _verdict_rows(facts.real_movements), n_real)
        lines += [""]
        for row in facts.real_movements.head(MAX_ROWS).itertuples():
            if row.reasons:
                lines.append(f"- {row.kpi_date} {row.kpi_name}: {row.reasons}")
        lines += [""]
    if n_minor:
        lines.append(
            f"{n_minor} smaller move(s) of single slices (severity info, robust |z| < 5: "
            f"{', '.join(sorted(set(facts.minor_real_movements['kpi_name'])))}) are not listed: "
            "each series alarms about once a year by chance, so across hundreds of slice "
            "series a few such moves a week are expected from noise alone. All of them: "
            "`reports/index.html`."
        )
        lines += [""]

    lines += ["## Repaired numbers", ""]
    n_rows = len(facts.repaired_rows)
    lines.append(
        f"{n_rows} KPI row(s) this week have an adjusted `value` that differs from the naive "
        "`value_reported`: the warehouse repaired the data behind them (duplicates, drift, "
        "bots). Use `value`."
    )
    lines += [""]
    if n_rows:
        rows = [
            [
                str(row.kpi_date),
                row.kpi_name,
                f"{row.dimension_name}={row.dimension_value}",
                format_value(row.value, row.unit),
                format_value(row.value_reported, row.unit),
                f"{row.relative_gap * 100:.1f} %",
            ]
            for row in facts.repaired_rows.itertuples()
        ]
        lines += _table(["day", "KPI", "slice", "value", "reported", "gap"], rows, n_rows)
        lines += [""]
    if not facts.repaired_verdicts.empty:
        lines += ["Moves that only the naive number showed (repaired incidents):", ""]
        lines += _table(VERDICT_HEADER, _verdict_rows(facts.repaired_verdicts), n_repaired_verdicts)
        lines += [""]

    if not facts.insufficient.empty:
        lines += ["## Too little data to judge", ""]
        lines.append(
            f"{len(facts.insufficient)} KPI total(s) had too few rows or events on some days "
            "this week for the tests to see a material loss: an incident there can be neither "
            "confirmed nor ruled out. Read them with care."
        )
        lines += [""]
        rows = [
            [
                row.kpi_name,
                str(row.n_days),
                "–"
                if pd.isna(row.max_undetectable_loss)
                else f"{row.max_undetectable_loss * 100:.0f} %",
            ]
            for row in facts.insufficient.itertuples()
        ]
        lines += _table(["KPI", "days", "largest loss that could go unseen"], rows, len(rows))
        lines += [""]

    if facts.has_verdicts:
        lines += ["## Uncertain", ""]
        n_total = int((facts.uncertain["dimension_name"] == "all").sum()) if n_uncertain else 0
        lines.append(
            f"{n_uncertain} flagged move(s) ({n_total} on totals) could not be judged: the trust "
            "score had too little data (see `min_detectable_loss`). Watch them; do not act yet."
        )
        lines += [""]
        if n_uncertain:
            lines += _table(VERDICT_HEADER, _verdict_rows(facts.uncertain), n_uncertain)
            lines += [""]

    if facts.root_causes is not None:
        lines += ["## Where the moves come from", ""]
        n_causes = len(facts.root_causes)
        lines.append(f"The best-ranked root cause of each of the {n_causes} anomaly(ies) analysed:")
        lines += [""]
        rows = [
            [
                str(row.kpi_date),
                row.kpi_name,
                f"{row.dimension_name or 'all'}={row.dimension_value or 'all'}",
                str(row.root_cause),
                str(row.effect or "–"),
                "–" if pd.isna(row.explained_share) else f"{row.explained_share * 100:.0f} %",
                str(row.sentence or ""),
            ]
            for row in facts.root_causes.itertuples()
        ]
        lines += _table(
            ["day", "KPI", "slice", "root cause", "effect", "explains", "in words"], rows, n_causes
        )
        lines += [""]

    lines += ["## What to do", ""]
    actions = []
    for group in facts.low_groups.itertuples():
        actions.append(
            f"Hold the {group.n_kpis} {group.dataset} KPI(s) of {group.kpi_date} "
            f"({group.kpis}) until `{group.reason}` is explained; fix the source and rebuild."
        )
    for row in facts.data_incidents.itertuples():
        actions.append(
            f"Do not report the {row.direction or ''} move of {row.kpi_name} on "
            f"{row.dimension_name}={row.dimension_value} ({row.kpi_date}): it is a data incident."
        )
    if n_real:
        names = ", ".join(sorted(set(facts.real_movements["kpi_name"])))
        actions.append(
            f"Take the {n_real} real movement(s) listed ({names}) to their owners: the data "
            "behind them is trusted (or, on too few events, the drop is larger than any loss "
            "the tests could miss)."
        )
    if n_rows or n_repaired_verdicts:
        actions.append("Quote `value` (adjusted), not `value_reported`, for the repaired rows.")
    if n_uncertain:
        actions.append(f"Re-check the {n_uncertain} uncertain move(s) when more data arrives.")
    if not facts.insufficient.empty:
        actions.append(
            f"Do not read a steady number as proof of health for the {len(facts.insufficient)} "
            "KPI(s) with too little data to judge; check their sources directly if they matter "
            "this week."
        )
    if not actions:
        actions.append("Nothing to act on: every number this week is trusted and steady.")
    lines += [f"{number}. {action}" for number, action in enumerate(actions, start=1)]
    lines += [""]
    if plot:
        lines += ["## Anomaly timeline", "", f"![anomaly timeline]({plot})", ""]
    return "\n".join(lines)


MEMO_CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-right { content: counter(page) " / " counter(pages);
  font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.35; color: #111; }
h1 { font-size: 15pt; margin: 0 0 6pt; } h2 { font-size: 11.5pt; margin: 14pt 0 4pt;
  border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; font-size: 8pt; }
th, td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } code { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
img { max-width: 100%; } li { margin-bottom: 2pt; }
"""


def markdown_to_html(markdown_text: str, title: str) -> str:
    """The memo's Markdown as a standalone HTML page (the source of the PDF)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables"])
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{MEMO_CSS}</style></head><body>{body}</body></html>"
    )


def write_pdf(html: str, out: Path, base_dir: Path) -> int:
    """Render the memo's HTML to PDF with weasyprint; returns the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(base_dir)).render()
    document.write_pdf(out)
    return len(document.pages)
