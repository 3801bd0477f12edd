"""Latency of the read API under a bounded load: N requests from C concurrent clients.

Starts `kpi-trust serve` (uvicorn, one worker) on a free 127.0.0.1 port over a warehouse file
(default: $KPI_TRUST_DB, else warehouse/kpi_trust.duckdb; pass a copy, the server only reads it),
sends a fixed mix of requests (KPI series of one KPI and slice, trust rows of one day, verdicts,
the catalogue, POST /score on a 90-day series) and prints p50 / p95 / p99 / max per endpoint and
overall as a Markdown table for docs/benchmarks.md.

    python bench/bench_api.py --db /tmp/copy.duckdb --requests 1000 --clients 8
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {base} did not answer /health in {timeout} s")


def score_body() -> bytes:
    days = np.arange(90)
    values = 100 + 10 * np.sin(2 * np.pi * days / 7) + np.random.default_rng(1).normal(0, 2, 90)
    values[70] += 60
    stamps = [str(np.datetime64("2026-01-01") + int(d)) for d in days]
    return json.dumps({"timestamps": stamps, "values": values.round(2).tolist()}).encode()


MIX = [
    ("series", "GET", "/kpis/series?kpi=api_success_rate&dimension_name=all&limit=100", None),
    ("trust", "GET", "/trust?start=2026-08-15&end=2026-08-15&limit=100", None),
    ("verdicts", "GET", "/verdicts?verdict=data_incident&limit=50", None),
    ("kpis", "GET", "/kpis", None),
    ("score", "POST", "/score", score_body()),
]


def one(base: str, item) -> tuple[str, float, int]:
    name, method, path, body = item
    request = urllib.request.Request(base + path, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return name, (time.perf_counter() - started) * 1000, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=os.environ.get("KPI_TRUST_DB"))
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    db = args.db or REPO / "warehouse" / "kpi_trust.duckdb"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KPI_TRUST_DB": str(db), "PYTHONPATH": str(REPO / "scripts")}
    env.pop("KPI_TRUST_API_TOKEN", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "kpi_trust", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(base)
        for item in MIX:  # warm-up: imports, first connections
            one(base, item)
        work = [MIX[i % len(MIX)] for i in range(args.requests)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(lambda item: one(base, item), work))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = sum(1 for _, _, status in results if status != 200)
    print(
        f"{args.requests} requests, {args.clients} clients, {wall:.1f} s wall, "
        f"{args.requests / wall:.0f} req/s, {errors} non-200"
    )
    print("| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    names = [m[0] for m in MIX] + ["all"]
    for name in names:
        times = np.array([t for n, t, _ in results if name in (n, "all")])
        if name == "all":
            times = np.array([t for _, t, _ in results])
        p50, p95, p99 = np.percentile(times, [50, 95, 99])
        print(f"| {name} | {len(times)} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {times.max():.0f} |")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
