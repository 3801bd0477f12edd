"""The Streamlit dashboard (`make dashboard`): its pages, its upload flow, and the served app.

Streamlit's ``AppTest`` runs the real app script (``kpi_trust/dashboard/app.py``) on a copy of
the session's small warehouse: every page draws its charts and tables with no exception, the
KPI page honours an alert link's query, the upload page finds the spike of a small CSV, the
consensus slider changes the number of alarms (and matches `kpi-trust detect`), and the
download button holds those alarms as CSV. Then `streamlit run`, started as `make dashboard`
starts it (from the repo root, so ``.streamlit/config.toml`` applies), serves the app to
headless Chromium: the page draws, a screenshot is not blank, and nothing is requested off
127.0.0.1. Streamlit is the optional extra `make test` installs (`make install-dashboard`).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import numpy as np
import pandas as pd
import pytest

pytest.importorskip(
    "streamlit", reason="the dashboard extra is not installed: `make install-dashboard`"
)

from chromium_cdp import CHROMIUM, browser, off_machine_requests  # noqa: E402
from conftest import writer_holding_lock
from kpi_trust.cli import main as cli  # noqa: E402
from kpi_trust.dashboard import APP  # noqa: E402
from serve_receivers import SCRIPTS, free_port  # noqa: E402
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PAGES = {
    "views/kpis.py": "KPIs and trust",
    "views/anomalies.py": "Anomalies and verdicts",
    "views/root_causes.py": "Root causes",
    "views/quality.py": "Quality evidence",
    "views/upload.py": "Score a CSV",
}
SPIKE_DAY = "2026-03-12"  # row 70 of spike_csv()


@pytest.fixture(scope="module")
def dashboard_db(small_warehouse, tmp_path_factory) -> Path:
    """A copy of the small warehouse: the app opens it read-only in this process."""
    db = tmp_path_factory.mktemp("dashboard") / "kpi.duckdb"
    shutil.copy(small_warehouse.db_path, db)
    return db


@pytest.fixture
def app(dashboard_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("KPI_TRUST_DB", str(dashboard_db))
    return AppTest.from_file(str(APP), default_timeout=120).run()


def drawn(at: AppTest) -> dict[str, int]:
    """What a page drew: charts, tables, metrics, and the errors that must not be there."""
    return {
        "charts": len(at.get("vega_lite_chart")),
        "tables": len(at.dataframe),
        "metrics": len(at.metric),
        "exceptions": len(at.exception),
        "errors": len(at.error),
    }


def test_every_page_draws_on_the_warehouse(app):
    minimum = {  # charts, tables on each page of the small warehouse
        "views/kpis.py": (2, 0),
        "views/anomalies.py": (4, 1),
        "views/root_causes.py": (2, 1),
        "views/quality.py": (2, 2),
        "views/upload.py": (0, 0),
    }
    for page, title in PAGES.items():
        app.switch_page(page).run()
        seen = drawn(app)
        assert [t.value for t in app.title] == [title], page
        assert seen["exceptions"] == 0 and seen["errors"] == 0, (page, app.exception, app.error)
        charts, tables = minimum[page]
        assert seen["charts"] >= charts and seen["tables"] >= tables, (page, seen)
    app.switch_page("views/kpis.py").run()
    assert [m.label for m in app.metric][1:] == [
        "trust score",
        "low-trust days",
        "days with a verdict",
    ]


def test_kpi_page_opens_on_an_alert_link(dashboard_db, monkeypatch):
    """An alert's link (?kpi=&date=&dimension_name=&dimension_value=) opens its slice and day."""
    con = duckdb.connect(str(dashboard_db), read_only=True)
    try:
        row = con.execute(
            "select kpi_name, kpi_date, dimension_name, dimension_value from kpi_verdicts_daily"
            " where dimension_name <> 'all' order by kpi_date desc, kpi_name limit 1"
        ).fetchall()[0]
    finally:
        con.close()
    kpi, day, name, value = row
    monkeypatch.setenv("KPI_TRUST_DB", str(dashboard_db))
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.query_params.update(
        {"kpi": kpi, "date": str(day), "dimension_name": name, "dimension_value": value}
    )
    app.run()
    assert not app.exception
    assert app.selectbox(key="kpi").value == kpi
    assert app.selectbox(key="slice").value == (name, value)
    start, end = app.date_input(key="days").value
    assert start <= day <= end and (end - start).days <= 35
    alerting = app.dataframe[0].value
    assert pd.Timestamp(day) in set(pd.to_datetime(alerting["day"]))


def test_without_a_warehouse_pages_say_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("KPI_TRUST_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "make run" in at.error[0].value and "none.duckdb" in at.error[0].value
    at.switch_page("views/upload.py").run()  # scoring a CSV needs no warehouse
    assert not at.exception and not at.error and at.get("file_uploader")


def test_a_build_holding_the_warehouse_gives_a_message_then_pages_draw(
    dashboard_db, monkeypatch, tmp_path
):
    """While a writer (a `dbt build`) holds DuckDB's lock, a page says so, without a traceback."""
    db = tmp_path / "kpi.duckdb"
    shutil.copy(dashboard_db, db)
    monkeypatch.setenv("KPI_TRUST_DB", str(db))
    with writer_holding_lock(db):
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        assert not at.exception and "locked by another process" in at.warning[0].value
    at.run()
    assert not at.exception and not at.warning and at.get("vega_lite_chart")


def spike_csv() -> bytes:
    """100 days, a weekly cycle, one large spike (row 70) and five moderate bumps: the spike
    alarms at every consensus level, the bumps only when fewer detectors must agree."""
    rng = np.random.default_rng(5)
    n = 100
    values = 100 + 10 * np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 2, n)
    values[70] += 60
    for row, sign in zip((40, 50, 58, 80, 90), (1, -1, 1, -1, 1), strict=True):
        values[row] += sign * 11
    frame = pd.DataFrame(
        {"day": pd.date_range("2026-01-01", periods=n).date, "orders": values.round(2)}
    )
    frame["region"] = "emea"  # a text column: not offered for scoring
    return frame.to_csv(index=False).encode()


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[bytes, str, str | None]]:
    """Files the app hands to download buttons: (bytes, MIME type, file name)."""
    seen: list[tuple[bytes, str, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        seen.append((path_or_data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


def alarms_shown(at: AppTest) -> int:
    counts = {m.label: int(m.value) for m in at.metric}
    assert len(at.dataframe[0].value) == counts["consensus alarms"]
    return counts["consensus alarms"]


def test_upload_compares_detectors_and_downloads_the_anomalies(app, downloads, tmp_path):
    app.switch_page("views/upload.py").run()
    app.file_uploader(key="upload").upload("sales.csv", spike_csv(), "text/csv")
    app.run()
    assert not app.exception and not app.error
    assert app.selectbox(key="column").options == ["orders"]
    labels = [m.label for m in app.metric]
    assert labels == ["seasonal", "changepoint", "iforest", "lof", "consensus alarms"]
    assert len(app.get("vega_lite_chart")) == len(labels)  # one per detector, then the alarms
    at_level = {}
    for level in (2, 1, 3):
        app.slider(key="consensus").set_value(level).run()
        assert not app.exception
        at_level[level] = alarms_shown(app)
        days = pd.to_datetime(app.dataframe[0].value["timestamp"]).dt.strftime("%Y-%m-%d")
        assert SPIKE_DAY in set(days), level  # the spike is an anomaly at every level
    assert at_level[1] > at_level[3] >= 1, at_level

    # The download holds the alarms shown (consensus 3, the last level set) as CSV...
    content, mime, name = downloads[-1]
    assert mime == "text/csv" and name == "sales-orders-anomalies-consensus3.csv"
    downloaded = pd.read_csv(io.BytesIO(content))
    assert list(downloaded.columns[:3]) == ["timestamp", "column", "value"]
    assert len(downloaded) == at_level[3] and set(downloaded["column"]) == {"orders"}
    # ... and they are what `kpi-trust detect --consensus 3` finds in the same file.
    source, out = tmp_path / "sales.csv", tmp_path / "scores.csv"
    source.write_bytes(spike_csv())
    assert cli(["detect", str(source), "--consensus", "3", "-o", str(out)]) == 0
    expected = pd.read_csv(out).query("is_anomaly")
    assert downloaded["timestamp"].tolist() == expected["timestamp"].tolist()


def test_upload_of_a_csv_without_dates_says_why(app):
    app.switch_page("views/upload.py").run()
    app.file_uploader(key="upload").upload("bad.csv", b"a,b\n1,2\n3,4\n", "text/csv")
    app.run()
    assert not app.exception
    assert "no date or timestamp column" in app.error[0].value and "bad.csv" in app.error[0].value


@contextlib.contextmanager
def streamlit_run(db: Path, log_path: Path):
    """The app as `make dashboard` starts it (from the repo root, a port given); yields its URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS), "KPI_TRUST_DB": str(db)}
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while True:
                try:
                    if httpx.get(f"{base}/_stcore/health", timeout=2).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError(log_path.read_text())
                time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


# The page has finished its run (no "running" status) and drew what the KPI page draws.
KPI_PAGE_DRAWN = """(() => {
  const count = selector => document.querySelectorAll(selector).length;
  const done = count('[data-testid=stStatusWidgetRunningIcon]') === 0
    && count('[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg') > 0
    && count('[data-testid=stMetric]') === 4;
  return done && {
    title: document.title,
    heading: document.querySelector('h1').innerText,
    pages: count('[data-testid=stSidebarNavLink]'),
    exceptions: count('[data-testid=stException]'),
    notFound: document.body.innerText.includes('Page not found'),
  };
})()"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium missing: `make browser` installs it")
def test_streamlit_run_serves_the_dashboard_offline_in_headless_chromium(dashboard_db, tmp_path):
    from PIL import Image

    log = tmp_path / "streamlit.log"
    with streamlit_run(dashboard_db, log) as base, browser(tmp_path) as page:
        page.call("Page.navigate", url=f"{base}/")  # the default page: KPIs and trust
        state = page.wait_for(KPI_PAGE_DRAWN, timeout=90)
        shot = page.screenshot(tmp_path / "kpis.png")
        assert state, page.evaluate("document.body.innerText")[-2000:]
        assert state["title"] == "KPI Trust dashboard" and state["heading"] == "KPIs and trust"
        assert state["pages"] == len(PAGES) and state["exceptions"] == 0
        assert not state["notFound"]
        page.call("Page.navigate", url=f"{base}/upload")
        uploader = "document.querySelectorAll('[data-testid=stFileUploader]').length"
        assert page.wait_for(uploader) and "Page not found" not in page.evaluate(
            "document.body.innerText"
        )
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 50  # not a blank page
    assert off_machine_requests(tmp_path / "net.json") == []
    served = log.read_text()
    assert f"URL: {base}" in served and "Collecting usage statistics" not in served
