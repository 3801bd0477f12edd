"""The API's lightweight HTML pages (/dashboard): served offline, rendered by headless Chromium.

The pages draw with the API's own data, so the browser test checks what a user sees: the KPI
page's chart (value line, expected band, trust line and strip, verdict marks) and tables, and the
upload page scoring a CSV (its example) with anomalies drawn. A screenshot of each is written
to the test's temp dir. Chromium is the Debian package (`make browser` / FACTS.md). The
Streamlit dashboard (`make dashboard`) has its own tests: test_dashboard.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import httpx
import pytest
from kpi_trust.serve.dashboard import KPI_PAGE, UPLOAD_PAGE, example_csv
from serve_receivers import api_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_pages_need_nothing_from_the_internet():
    for page in (KPI_PAGE, UPLOAD_PAGE):
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
        assert "<script src" not in page
    assert example_csv().startswith("date,orders,error_rate\n")


@pytest.fixture(scope="module")
def server(small_warehouse, tmp_path_factory):
    """The API without a token (a headless browser cannot answer the pages' token prompt)."""
    work = tmp_path_factory.mktemp("dashboard")
    db = work / "kpi.duckdb"
    shutil.copy(small_warehouse.db_path, db)
    with api_server(db, work) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client, db


def test_pages_are_served(server):
    client, _ = server
    for path in ("/dashboard", "/dashboard/upload", "/"):
        response = client.get(path)
        assert response.status_code == 200 and 'href="/dashboard' in response.text
    assert client.get("/dashboard/example.csv").text == example_csv()


def _browse(url: str, tmp_path, name: str) -> str:
    """The page's DOM after its scripts ran, and a screenshot of it, from headless Chromium."""
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--virtual-time-budget=15000",
        "--window-size=1200,1300",
    ]
    dom = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / (name + '-dom')}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    shot = tmp_path / f"{name}.png"
    subprocess.run(
        [*common, f"--user-data-dir={tmp_path / (name + '-png')}", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 20_000, "no screenshot"
    return dom


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make browser installs it)")
def test_kpi_page_in_headless_chromium(server, tmp_path):
    client, _ = server
    verdicts = client.get("/verdicts", params={"limit": 1}).json()["items"]
    assert verdicts, "the small warehouse has no verdict to show"
    row = verdicts[0]
    url = (
        f"{client.base_url}/dashboard?kpi={row['kpi_name']}&date={row['kpi_date']}"
        f"&dimension_name={row['dimension_name']}&dimension_value={row['dimension_value']}"
    )
    dom = _browse(url, tmp_path, "kpi")
    assert 'data-ready="1"' in dom, dom[-2000:]
    for role in ("value", "band", "trust", "mark"):
        assert f'data-role="{role}"' in dom, role
    assert "Days that alert" in dom and row["kpi_date"] in dom


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make browser installs it)")
def test_upload_page_scores_a_csv_in_headless_chromium(server, tmp_path):
    client, _ = server
    dom = _browse(f"{client.base_url}/dashboard/upload?example=1", tmp_path, "upload")
    assert 'data-ready="1"' in dom, dom[-2000:]
    assert re.search(r"2 column\(s\), 240 scored rows, \d+ anomalies at consensus 2", dom)
    assert dom.count('data-role="value"') == 2
