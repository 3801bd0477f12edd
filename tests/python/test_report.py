"""`kpi-trust report` on the session's small warehouse: the files, the memo's numbers against
direct SQL, the PDF's pages and text, sections left out when their tables are missing, and the
page in a real browser (headless Chromium: drawn with data, no console error, no request).

The browser and PDF checks need Debian's `chromium` and `pdftotext` (poppler-utils), which
`make test` installs first (`make browser`); run alone without them they skip with that reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from kpi_trust.cli import main
from kpi_trust.report import build_report
from kpi_trust.report.data import load
from kpi_trust.report.memo import memo_facts

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
# FACTS.md: the flags headless Chromium needs here; the resolver rule keeps the test offline
# (a request that did leave the page still shows in the net log, then fails to resolve).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--virtual-time-budget=15000",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
]
# Attributes and CSS that make a browser fetch something: none may point off the file.
REMOTE_REFERENCE = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|action|data|xlink:href)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def report(small_warehouse, tmp_path_factory) -> Path:
    """The report of the small warehouse, built once for this module."""
    out = tmp_path_factory.mktemp("report") / "reports"
    build_report(small_warehouse.db_path, out, quiet=True)
    return out


def sql(db: Path, query: str, params: list | None = None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def test_report_writes_page_memo_and_plots(report):
    for name in ("index.html", "memo.md", "memo.pdf"):
        assert (report / name).stat().st_size > 1000, name
    for name in (
        "kpi_trust_overlay.png",
        "quality_heatmap.png",
        "reported_vs_adjusted.png",
        "anomaly_timeline.png",
    ):
        data = (report / "plots" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name


def test_page_is_self_contained(report):
    page = (report / "index.html").read_text(encoding="utf-8")
    assert REMOTE_REFERENCE.findall(page) == []
    assert "<link" not in page.lower()
    assert re.search(r"<script[^>]*\bsrc=", page, re.IGNORECASE) is None
    # The pattern itself catches what it must (it is not vacuous).
    for bad in ('<img src="https://x.org/a.png">', "a{background:url(//cdn.x/a)}", "@import"):
        assert REMOTE_REFERENCE.search(bad), bad


def test_memo_numbers_match_sql(small_warehouse, report):
    db = small_warehouse.db_path
    data = load(db)
    try:
        facts = memo_facts(data)
    finally:
        data.warehouse.close()
    (latest,) = sql(db, "select max(kpi_date) from kpi_daily")[0]
    week = [latest.fromordinal(latest.toordinal() - 6), latest]
    assert (facts.week_start, facts.latest_date) == tuple(week)
    levels = dict(
        sql(
            db,
            "select trust_level, count(*) from kpi_trust_daily where dimension_name = 'all'"
            " and kpi_date between ? and ? group by 1",
            week,
        )
    )
    assert facts.total_levels == levels
    (n_low,) = sql(
        db,
        "select count(*) from kpi_trust_daily where trust_level = 'low'"
        " and kpi_date between ? and ?",
        week,
    )[0]
    assert facts.n_low_rows == n_low
    low_days = sql(
        db,
        "select kpi_date, dataset, count(distinct kpi_name) from kpi_trust_daily"
        " where trust_level = 'low' and kpi_date between ? and ? group by all order by all",
        week,
    )
    memo_days = sorted({(row.kpi_date, row.dataset) for row in facts.low_groups.itertuples()})
    assert memo_days == [(day, dataset) for day, dataset, _ in low_days]
    blind = sql(
        db,
        "select kpi_name, count(distinct kpi_date), max(min_detectable_loss) from kpi_trust_daily"
        " where dimension_name = 'all' and trust_level = 'insufficient_data'"
        " and kpi_date between ? and ? group by 1 order by 1",
        week,
    )
    assert sorted(
        (row.kpi_name, row.n_days, row.max_undetectable_loss)
        for row in facts.insufficient.itertuples()
    ) == [(name, days, pytest.approx(loss)) for name, days, loss in blind]
    verdicts = dict(
        sql(
            db,
            "select verdict, count(*) from kpi_verdicts_daily where kpi_date between ? and ?"
            " group by 1",
            week,
        )
    )
    assert facts.verdict_counts == verdicts
    assert len(facts.real_movements) + len(facts.minor_real_movements) == verdicts.get(
        "real_movement", 0
    )
    (n_listed,) = sql(
        db,
        "select count(*) from kpi_verdicts_daily where verdict = 'real_movement'"
        " and (dimension_name = 'all' or severity in ('warning', 'critical'))"
        " and kpi_date between ? and ?",
        week,
    )[0]
    assert len(facts.real_movements) == n_listed
    assert len(facts.data_incidents) == verdicts.get("data_incident", 0)
    (n_repaired,) = sql(
        db,
        "select count(*) from kpi_daily where kpi_date between ? and ? and"
        " (value is distinct from value_reported) and (value is null or value_reported is null"
        "  or abs(value - value_reported) > 1e-9 * greatest(abs(value), abs(value_reported)))",
        week,
    )[0]
    assert len(facts.repaired_rows) == n_repaired

    text = (report / "memo.md").read_text(encoding="utf-8")
    high = levels.get("high", 0)
    total = sum(levels.values())
    assert f"# Decision memo: week {week[0]} to {week[1]}" in text
    assert f"{high} of the {total} totals are trusted" in text
    assert f"{n_low} KPI rows (totals and slices) are low-trust" in text
    assert (
        f"judged {verdicts.get('real_movement', 0)} real movement(s), "
        f"{verdicts.get('data_incident', 0)} data incident(s), "
        f"{verdicts.get('repaired_incident', 0)} repaired incident(s) and "
        f"{verdicts.get('uncertain', 0)} uncertain"
    ) in text
    assert f"{n_repaired} KPI row(s) this week have an adjusted `value`" in text


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext missing: `make browser` installs it")
def test_memo_pdf_pages_and_text(report):
    info = subprocess.run(
        ["pdfinfo", str(report / "memo.pdf")], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert 1 <= pages <= 10
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(report / "memo.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    markdown = (report / "memo.md").read_text(encoding="utf-8")
    title = markdown.splitlines()[0].removeprefix("# ")
    assert title in text
    for heading in ("The week in one paragraph", "Real movements", "What to do"):
        assert heading in text
    first_sentence = re.search(r"\d+ of the \d+ totals are trusted", markdown).group(0)
    assert first_sentence in " ".join(text.split())
    # Each page is numbered "n / pages" by the memo's print CSS.
    assert re.search(rf"\b{pages}\s*/\s*{pages}\b", text)


def test_sections_follow_the_tables(small_warehouse, tmp_path):
    """Without anomaly tables or labels (users' own logs) their sections are left out; a
    root-cause table (column names as an alias) brings its section in."""
    db = tmp_path / "kpi.duckdb"
    shutil.copy(small_warehouse.db_path, db)
    with duckdb.connect(str(db)) as con:
        for table in ("kpi_verdicts_daily", "kpi_anomalies_daily", "kpi_forecasts_daily"):
            (kind,) = con.execute(
                "select table_type from information_schema.tables"
                " where table_schema = 'main' and table_name = ?",
                [table],
            ).fetchall()[0]
            con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} main.{table} cascade")
        con.execute("update main.trust_metrics set n_positives = 0")
        (day,) = con.execute("select max(kpi_date) from main.kpi_daily").fetchall()[0]
        # the build made the real table: replace it by one with aliased column names
        con.execute("drop table if exists main.kpi_root_causes")
        con.execute(
            "create table main.kpi_root_causes as select 'api_calls' as kpi_name,"
            " ?::date as kpi_date, 'all' as dimension_name, 'all' as dimension_value,"
            " 1 as rank, 'region=eu-west & api_name=face_match' as cause, 0.8 as score,"
            " 0.64 as explained_share, 'mix' as effect,"
            " 'eu-west face_match calls fell' as sentence",
            [day],
        )
    out = tmp_path / "reports"
    build_report(db, out, quiet=True)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="verdicts"' not in page and 'id="accuracy"' not in page
    assert "kpi_verdicts_daily: not in the warehouse" in page
    assert 'id="root-causes"' in page
    assert "region=eu-west &amp; api_name=face_match" in page and "64 %" in page
    memo = (out / "memo.md").read_text(encoding="utf-8")
    assert "No verdict table in this warehouse" in memo
    assert "| region=eu-west & api_name=face_match | mix | 64 % |" in memo
    assert (out / "plots" / "anomaly_timeline.png").exists() is False


def test_cli_help_and_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--help"])
    assert exit_info.value.code == 0
    assert "--db" in capsys.readouterr().out
    assert main(["report", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("kpi-trust report: error: no warehouse at") and error.count("\n") == 1
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert main(["report", "--db", str(empty), "--out", str(tmp_path / "r"), "--quiet"]) == 2
    assert "kpi_daily: not in the warehouse" in capsys.readouterr().err
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert main(["report", "--db", str(empty), "--out", str(blocked / "reports")]) == 2
    assert "cannot write" in capsys.readouterr().err


def chromium(args: list[str], work: Path) -> subprocess.CompletedProcess:
    profile = work / f"profile-{len(list(work.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for, from Chromium's net log: requests the page initiated carry
    its (opaque, file://) origin; the browser's own background requests carry none."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        event["params"].get("url", "")
        for event in log["events"]
        if event["type"] == start_job
        and event.get("params", {}).get("initiator", "not an origin") != "not an origin"
    ]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium missing: `make browser` installs it")
def test_page_in_headless_chromium(report, tmp_path):
    from PIL import Image

    # A control page proves the net-log check sees a request a page makes.
    control = tmp_path / "control.html"
    control.write_text('<img src="https://example.invalid/x.png">', encoding="utf-8")
    chromium(
        [f"--log-net-log={tmp_path / 'control.json'}", "--dump-dom", control.as_uri()], tmp_path
    )
    assert page_requests(tmp_path / "control.json") == ["https://example.invalid/x.png"]

    index = (report / "index.html").resolve()
    result = chromium(
        [f"--log-net-log={tmp_path / 'net.json'}", "--dump-dom", index.as_uri()], tmp_path
    )
    dom = result.stdout
    assert page_requests(tmp_path / "net.json") == []
    assert ":CONSOLE" not in result.stderr, result.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom).group(0)  # the script marks the body when it ran
    assert 'data-ready="yes"' in body and "data-js-errors" not in body

    n_kpis = dom.count('class="kpi-card"')
    assert n_kpis >= 10
    assert dom.count('class="chart kpi-chart"') == n_kpis
    assert dom.count('<path class="adjusted" d="M') == n_kpis
    sections = re.split(r'<section id="', dom)[1:]
    by_id = {section.split('"', 1)[0]: section for section in sections}
    for section_id in ("summary", "trust", "kpis", "verdicts", "quality", "tests", "quarantine"):
        assert section_id in by_id, section_id
    assert by_id["trust"].count('class="cell"') > 100
    drawn = re.search(r'data-drawn-rows="(\d+)"', by_id["trust"])
    assert drawn and int(drawn.group(1)) > 0  # the per-slice heatmap, drawn by the script
    assert by_id["quality"].count('class="cell"') > 100
    assert by_id["kpis"].count('class="trust-cell"') > 100
    assert by_id["kpis"].count('class="band"') > 0
    assert by_id["kpis"].count('<path class="forecast" d="M') == n_kpis
    assert 'class="flag" data-verdict="' in by_id["kpis"]  # flagged totals, circled by verdict
    assert by_id["summary"].count("<tr data-kpi=") >= n_kpis
    assert "<td>" in by_id["verdicts"] or "No flagged day" in by_id["verdicts"]
    assert 'id="ge-results"' in by_id["tests"] and 'class="bar"' in by_id["tests"]
    assert 'class="bar"' in by_id["quarantine"]

    # The filters, set from the link: one KPI's chart, one dimension's rows and slices.
    # A KPI and dimension with a verdict row, so the filter has rows to show and to hide.
    verdict_rows = re.findall(r'<tr data-kpi="([^"]+)" data-dim="([^"]+)"', by_id["verdicts"])
    kpi, dimension = next((k, d) for k, d in verdict_rows if d != "all")
    filtered = chromium(["--dump-dom", f"{index.as_uri()}#kpi={kpi}&dim={dimension}"], tmp_path)
    cards = re.findall(r'<div class="kpi-card" data-kpi="([^"]+)"([^>]*)>', filtered.stdout)
    assert [name for name, rest in cards if "hidden" not in rest] == [kpi]
    rows = re.findall(r'<tr data-kpi="([^"]+)" data-dim="([^"]+)"([^>]*)>', filtered.stdout)
    assert rows and all(
        ("hidden" in rest) == (name != kpi or dim not in (dimension, "all"))
        for name, dim, rest in rows
    )
    assert any("hidden" not in rest for _, _, rest in rows)
    slice_svg = filtered.stdout.split('id="slice-heatmap"')[1].split("</svg>")[0]
    assert set(re.findall(r'<g data-dim="([^"]+)"', slice_svg)) == {dimension}

    # Printing: the browser's own PDF of the page has the sections' text on several pages.
    printed = tmp_path / "printed.pdf"
    chromium([f"--print-to-pdf={printed}", "--no-pdf-header-footer", index.as_uri()], tmp_path)
    if PDFTOTEXT:
        text = subprocess.run(
            [PDFTOTEXT, str(printed), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert text.count("\f") > 1
        for heading in ("Summary", "Trust heatmap", "Every KPI", "Quality signals", "Run metadata"):
            assert heading in text, heading

    shot = tmp_path / "shot.png"
    chromium(["--window-size=1280,2000", f"--screenshot={shot}", index.as_uri()], tmp_path)
    with Image.open(shot) as image:
        colours = image.convert("RGB").resize((320, 500)).getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # not a blank or unstyled page


def test_exposures_declare_what_the_report_reads():
    """models/_report__exposures.yml names every model the report reads (schema.TABLES), so the
    lineage graph shows the report as their consumer; kpi_root_causes joins when it is built."""
    import yaml
    from kpi_trust.report.schema import TABLES

    exposures_file = Path(__file__).resolve().parents[2] / "models" / "_report__exposures.yml"
    exposures = {
        exposure["name"]: {ref.split("'")[1] for ref in exposure["depends_on"]}
        for exposure in yaml.safe_load(exposures_file.read_text())["exposures"]
    }
    assert set(exposures) == {"kpi_trust_report", "kpi_trust_decision_memo", "kpi_trust_plots"}
    assert exposures["kpi_trust_report"] == set(TABLES)
    for name in ("kpi_trust_decision_memo", "kpi_trust_plots"):
        assert exposures[name] <= exposures["kpi_trust_report"]
