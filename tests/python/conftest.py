"""Shared pytest fixtures: a small generated dataset built into a DuckDB warehouse with dbt.

`small_warehouse` (session scope) generates GeneratorConfig(seed=7, days=35,
api_calls_per_day=400, players=600) as CSV seeds in a temp dir and runs one `dbt build` of the
whole project through dbtRunner, with every path (warehouse file, target, logs, seeds) in that
temp dir so tests never touch the repo's target/ or warehouse/. Reuse it rather than building
again; use `run_dbt` / `dbt_env` for builds of your own.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The dbt project the tests build (default: this repo). Pointing it at another checkout lets a
# developer test their models while the shared tree holds someone else's half-finished ones.
PROJECT = Path(os.environ.get("KPI_TRUST_PROJECT_DIR", REPO)).resolve()
SMALL_CONFIG = {"seed": 7, "days": 35, "api_calls_per_day": 400, "players": 600}


@dataclass(frozen=True)
class Warehouse:
    """A built warehouse: the DuckDB file, the raw files it was built from, the dbt env used."""

    db_path: Path
    raw_dir: Path
    env: dict[str, str]


def _seed_dir_in_project(seed_dir: Path) -> str:
    """A path to `seed_dir` relative to, and inside, the dbt project.

    dbt writes each seed's compiled SQL to `<target>/run/<project>/<seed path>`: with an absolute
    seed path that is the CSV itself, and with `../..` it can land anywhere. So a seed folder
    outside the project is reached through a symlink under `data/pytest/` (gitignored), removed
    when the test session ends.
    """
    seed_dir = seed_dir.resolve()
    if seed_dir.is_relative_to(PROJECT):
        return str(seed_dir.relative_to(PROJECT))
    link_dir = PROJECT / "data" / "pytest"
    link_dir.mkdir(parents=True, exist_ok=True)
    link = link_dir / f"{os.getpid()}-{hashlib.sha1(str(seed_dir).encode()).hexdigest()[:12]}"
    if not link.is_symlink():
        link.symlink_to(seed_dir, target_is_directory=True)
        atexit.register(link.unlink, missing_ok=True)
    return str(link.relative_to(PROJECT))


def dbt_env(work_dir: Path, seed_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """Env vars for a dbt run whose every output lives under `work_dir`.

    KPI_TRUST_SEED_DIR must be inside the project (see `_seed_dir_in_project`).
    """
    env = {
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(REPO),
        "KPI_TRUST_DB": str(work_dir / "kpi.duckdb"),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "KPI_TRUST_RAW_SOURCE": "seed",
        # Two dbt threads on the small test warehouses: dbt's own work per node, not DuckDB's,
        # is most of their time, and the results do not depend on the thread count.
        "KPI_TRUST_THREADS": "2",
        # Great Expectations' context and Data Docs stay in the test's work dir, not the repo.
        "KPI_TRUST_GX_DIR": str(work_dir / "gx"),
        # The accuracy gate is calibrated for the default 90-day dataset; small test datasets
        # are scored in pytest instead (tests/python/test_trust_*.py).
        "KPI_TRUST_MIN_RECALL": "0",
        "KPI_TRUST_MIN_PRECISION": "0",
        "KPI_TRUST_MIN_SLICE_RECALL": "0",
        "KPI_TRUST_MIN_SLICE_PRECISION": "0",
        "KPI_TRUST_MAX_SIBLING_LOW_RATE": "1",
        "KPI_TRUST_MAX_NOT_HIGH_RATE": "1",
    }
    if seed_dir is not None:
        env["KPI_TRUST_SEED_DIR"] = _seed_dir_in_project(seed_dir)
    env.update(extra)
    return env


def files_env(work_dir: Path, raw_dir: Path, fmt: str = "csv", **extra: str) -> dict[str, str]:
    """dbt_env for a files-mode build reading the raw logs in `raw_dir` in place (format `fmt`:
    csv, csv.gz or parquet), with no seeds (the seed path is an empty folder of the project)."""
    return dbt_env(
        work_dir,
        KPI_TRUST_RAW_SOURCE="files",
        KPI_TRUST_RAW_FORMAT=fmt,
        KPI_TRUST_RAW_DIR=str(raw_dir),
        KPI_TRUST_SEED_DIR="data/no-seeds-for-this-test",
        **extra,
    )


@contextlib.contextmanager
def _environ(env: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _release_duckdb() -> None:
    """Close the DuckDB connection dbt-duckdb keeps open in-process after a run.

    Without this, opening the warehouse file again from the same process (read_only, as the
    tests do) fails with "different configuration than existing connections", and the next
    build's lock may linger. dbt-duckdb exposes no public hook, so use its connection manager.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
        DuckDBConnectionManager._ENV = None


def run_dbt(args: list[str], env: dict[str, str], project_dir: Path | None = None):
    """Run one dbt command in-process with `env`; raise with the failing nodes if it fails."""
    from dbt.cli.main import dbtRunner

    project = project_dir or PROJECT
    with _environ(env):
        try:
            result = dbtRunner().invoke(
                [*args, "--project-dir", str(project), "--profiles-dir", str(REPO)]
            )
        finally:
            _release_duckdb()
    if not result.success:
        failed = []
        if result.result is not None and hasattr(result.result, "results"):
            failed = [
                f"{r.node.unique_id}: {r.status} {r.message}"
                for r in result.result.results
                if str(r.status) in {"error", "fail", "runtime error"}
            ]
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception or ''} {failed}")
    return result


def generate_raw(out_dir: Path, fmt: str = "csv", **overrides: int) -> Path:
    """Write the small labelled dataset (SMALL_CONFIG + overrides) to out_dir."""
    from kpi_trust.generator import GeneratorConfig, generate

    generate(GeneratorConfig(**{**SMALL_CONFIG, **overrides}, fmt=fmt), out_dir)
    return out_dir


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The small dataset built with `dbt build` (seed mode); shared by the whole session."""
    work = tmp_path_factory.mktemp("small_warehouse")
    raw_dir = generate_raw(work / "raw")
    env = dbt_env(work, seed_dir=raw_dir)
    run_dbt(["build"], env)
    return Warehouse(db_path=work / "kpi.duckdb", raw_dir=raw_dir, env=env)


@contextlib.contextmanager
def writer_holding_lock(db: Path) -> Iterator[None]:
    """Another process (as a running `dbt build` would) holds DuckDB's write lock on `db` for
    the duration of the block; released on exit."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "con.execute('create or replace table build_in_progress as select 1 as x'); "
            "print('locked', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()
