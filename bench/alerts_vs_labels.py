"""How many alerts a webhook receives on a built warehouse, and which labelled incidents they cover.

Runs what `make run` runs last, `kpi-trust alert --if-configured` with only
KPI_TRUST_ALERT_WEBHOOK_URL set, against a local receiver on 127.0.0.1, twice (the second run
must send nothing), on a COPY of the warehouse (alerts_sent is written into it). Then matches
each alert to the generator's labelled incidents (raw.injected_incidents): same dataset and
overlapping days (an incident's days: start_at's day to end_at's day, end exclusive at midnight).

    python bench/alerts_vs_labels.py --db warehouse/kpi_trust.duckdb
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]


def receiver() -> tuple[ThreadingHTTPServer, list[dict]]:
    posts: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, posts


def run_alert(db: Path, url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_TRUST_")}
    env |= {
        "KPI_TRUST_DB": str(db),
        "KPI_TRUST_ALERT_WEBHOOK_URL": url,
        "PYTHONPATH": str(REPO / "scripts"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "kpi_trust", "alert", "--if-configured"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),  # no alerts.yml there: env vars alone configure it
    )
    return (
        done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
    )


def label_days(start: str, end: str) -> tuple[date, date]:
    first = datetime.fromisoformat(start).date()
    stop = datetime.fromisoformat(end)
    last = (stop - timedelta(microseconds=1)).date()
    return first, max(first, last)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=REPO / "warehouse" / "kpi_trust.duckdb")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "copy.duckdb"
        shutil.copy(args.db, db)
        server, posts = receiver()
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        first = run_alert(db, url)
        n_first = len(posts)
        second = run_alert(db, url)
        n_second = len(posts) - n_first
        server.shutdown()
        with duckdb.connect(str(db), read_only=True) as con:
            labels = con.execute(
                "select incident_id, dataset, category, incident_type, start_at, end_at, "
                "is_repairable from raw.injected_incidents order by start_at"
            ).fetchall()
            suppressed = con.execute(
                "select dataset, cause, first_date, last_date from alerts_sent "
                "where status = 'suppressed'"
            ).fetchall()
    print(f"first run: {first}\n  -> {n_first} webhook posts")
    print(f"second run: {second}\n  -> {n_second} webhook posts")
    alerts = [
        (
            p["dataset"],
            p["cause"],
            date.fromisoformat(p["first_date"]),
            date.fromisoformat(p["last_date"]),
            p["severity"],
        )
        for p in posts[:n_first]
    ]
    alerts += [(d, c, f, la, "suppressed") for d, c, f, la in suppressed]
    matched: dict[int, list[str]] = {}
    print("\n| label | dataset | type | repairable | days | alerts (cause, days) |")
    print("|---|---|---|---|---|---|")
    covered = 0
    for incident_id, dataset, category, kind, start, end, repairable in labels:
        first_day, last_day = label_days(start, end)
        hits = [
            i
            for i, a in enumerate(alerts)
            if a[0] == dataset and a[2] <= last_day and a[3] >= first_day
        ]
        for i in hits:
            matched.setdefault(i, []).append(incident_id)
        covered += bool(hits)
        text = "; ".join(
            f"{alerts[i][1]} {alerts[i][2]}..{alerts[i][3]}"
            + (" (suppressed)" if alerts[i][4] == "suppressed" else "")
            for i in hits
        )
        print(
            f"| {incident_id} | {dataset} | {category}/{kind} | {repairable} | "
            f"{first_day}..{last_day} | {text or 'none'} |"
        )
    unmatched = [a for i, a in enumerate(alerts) if i not in matched]
    print(f"\nlabelled incidents: {len(labels)}, with at least one alert: {covered}")
    print(
        f"alerts sent: {n_first}; matching no label (false alarms): "
        f"{sum(1 for a in unmatched if a[4] != 'suppressed')}"
    )
    for a in unmatched:
        print(f"  unmatched: {a[0]} {a[1]} {a[2]}..{a[3]} ({a[4]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
