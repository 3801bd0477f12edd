"""Generator: determinism, the raw schemas of docs/design.md, vocabularies, formats, CLI.

Small configs keep this file fast (a few seconds); incident placement is tested in
test_generator_incidents.py.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from kpi_trust.generator import GeneratorConfig, generate

SMALL = dict(start_date=date(2026, 7, 1), days=40, api_calls_per_day=300, players=2_000)

# Copied from docs/design.md section 1 (not imported from the generator, so a drift fails here).
API_COLUMNS = [
    "call_id", "requested_at", "api_name", "api_version", "region", "client_type",
    "document_type", "status", "http_status", "error_reason", "latency_ms", "ingested_at",
    "batch_id",
]  # fmt: skip
GAME_COLUMNS = [
    "event_id", "user_id", "session_id", "event_name", "event_at", "platform", "country",
    "acquisition_channel", "install_date", "level", "revenue_usd", "ingested_at", "batch_id",
]  # fmt: skip
LABEL_COLUMNS = [
    "incident_id", "dataset", "category", "incident_type", "start_at", "end_at",
    "slice_dimension", "slice_value", "affected_kpis", "magnitude", "description",
    "is_repairable", "root_cause",
]  # fmt: skip
TS_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$"


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("gen_csv")
    return generate(GeneratorConfig(seed=7, fmt="csv", **SMALL), out)


@pytest.fixture(scope="module")
def parquet_run(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("gen_parquet")
    return generate(GeneratorConfig(seed=7, fmt="parquet", **SMALL), out)


def _raw(path: Path) -> duckdb.DuckDBPyRelation:
    """The file as the warehouse first sees it: every column text."""
    return duckdb.sql(f"select * from read_csv('{path}', all_varchar = true, header = true)")


def test_outputs_and_row_counts(csv_run) -> None:
    assert set(csv_run.paths) == {"api_calls", "game_events", "injected_incidents"}
    assert csv_run.paths["api_calls"].name == "api_calls.csv"
    assert csv_run.paths["injected_incidents"].name == "injected_incidents.csv"
    for name, path in csv_run.paths.items():
        n = duckdb.sql(f"select count(*) from read_csv('{path}', all_varchar = true)").fetchall()
        assert n[0][0] == csv_run.row_counts[name], name
    # ~300 calls/day for 40 days, plus replayed duplicates.
    assert 10_000 < csv_run.row_counts["api_calls"] < 15_000
    assert csv_run.row_counts["game_events"] > 10_000


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path, csv_run) -> None:
    again = generate(GeneratorConfig(seed=7, fmt="csv", **SMALL), tmp_path / "again")
    for name, path in csv_run.paths.items():
        assert path.read_bytes() == again.paths[name].read_bytes(), name
    other = generate(GeneratorConfig(seed=8, fmt="csv", **SMALL), tmp_path / "other")
    for name, path in csv_run.paths.items():
        assert path.read_bytes() != other.paths[name].read_bytes(), name


def test_parquet_is_deterministic(tmp_path: Path, parquet_run) -> None:
    again = generate(GeneratorConfig(seed=7, fmt="parquet", **SMALL), tmp_path)
    for name, path in parquet_run.paths.items():
        assert path.read_bytes() == again.paths[name].read_bytes(), name


def test_columns_exactly_as_the_contract(csv_run, parquet_run) -> None:
    assert _raw(csv_run.paths["api_calls"]).columns == API_COLUMNS
    assert _raw(csv_run.paths["game_events"]).columns == GAME_COLUMNS
    assert _raw(csv_run.paths["injected_incidents"]).columns == LABEL_COLUMNS
    # Labels are always CSV, whatever the log format.
    assert parquet_run.paths["injected_incidents"].suffix == ".csv"
    api = pq.read_schema(parquet_run.paths["api_calls"])
    game = pq.read_schema(parquet_run.paths["game_events"])
    assert api.names == API_COLUMNS and game.names == GAME_COLUMNS
    types = {f.name: str(f.type) for f in [*api, *game]}
    assert types["requested_at"] == types["event_at"] == types["ingested_at"] == "timestamp[us]"
    assert types["http_status"] == "int32" and types["level"] == "int32"
    assert types["latency_ms"] == types["revenue_usd"] == "double"
    assert types["install_date"] == "date32[day]"
    assert types["api_name"] == types["user_id"] == types["batch_id"] == "string"


def test_csv_and_parquet_hold_the_same_data(csv_run, parquet_run) -> None:
    for name in ("api_calls", "game_events"):
        text = _raw(csv_run.paths[name])
        typed = duckdb.sql(f"select * from read_parquet('{parquet_run.paths[name]}')")

        def normalised(rel: duckdb.DuckDBPyRelation, alias: str) -> str:
            exprs = []
            for column in rel.columns:
                if column.endswith("_at"):
                    exprs.append(f"strftime({column}::timestamp, '%Y-%m-%d %H:%M:%S.%f')")
                elif column in ("latency_ms", "revenue_usd", "http_status", "level"):
                    exprs.append(f"{column}::double")
                else:
                    exprs.append(f"nullif({column}::varchar, '')")
            return f"select {', '.join(exprs)} from {alias}"

        left = duckdb.sql(normalised(text, "text"))
        right = duckdb.sql(normalised(typed, "typed"))
        assert len(left.fetchall()) == len(right.fetchall())
        assert left.except_(right).fetchall() == [], name
        assert right.except_(left).fetchall() == [], name
    labels = csv_run.paths["injected_incidents"].read_bytes()
    assert labels == parquet_run.paths["injected_incidents"].read_bytes()


def test_timestamps_are_utc_text_with_microseconds(csv_run) -> None:
    for name, columns in (
        ("api_calls", ("requested_at", "ingested_at")),
        ("game_events", ("event_at", "ingested_at")),
    ):
        rel = _raw(csv_run.paths[name])
        for column in columns:
            bad = rel.filter(f"not regexp_matches({column}, '{TS_PATTERN}')").fetchall()
            assert bad == [], (name, column)


def test_api_vocabularies_and_consistency(csv_run) -> None:
    # A quarantine-heavy day writes an unparseable status ('n/a') on purpose; its placement is
    # tested in test_generator_incidents.py.
    api = _raw(csv_run.paths["api_calls"]).filter("status <> 'n/a'")

    def distinct(column: str) -> set[str]:
        return {r[0] for r in api.select(column).distinct().fetchall()}

    assert len(distinct("api_name")) >= 15
    assert {"document_ocr", "face_match", "liveness_check", "aml_screening"} <= distinct("api_name")
    assert len(distinct("region")) >= 6
    assert len(distinct("client_type")) >= 4
    assert len(distinct("document_type")) >= 6
    assert len(distinct("error_reason") - {None}) >= 8
    assert {s.lower() for s in distinct("status")} == {"success", "failure", "timeout"}
    rows = api.filter("lower(status) = 'success'").filter("http_status <> '200'").fetchall()
    assert rows == []
    assert api.filter("lower(status) = 'success' and error_reason is not null").fetchall() == []
    assert api.filter("lower(status) <> 'success' and error_reason is null").fetchall() == []
    timeouts = api.filter("lower(status) = 'timeout'")
    assert {r[0] for r in timeouts.select("http_status").distinct().fetchall()} == {"504"}
    failures = api.filter("lower(status) = 'failure'").select("http_status::int").fetchall()
    assert failures and all(400 <= r[0] < 600 and r[0] != 504 for r in failures)
    assert api.filter("latency_ms::double < 0").fetchall() == []
    # Versions roll out over time: some API serves more than one version in the period.
    versions = duckdb.sql(
        "select api_name, count(distinct api_version) n from api "
        "where api_version not similar to 'v[0-9]+\\.[0-9]+\\.[0-9]+' group by 1"
    ).fetchall()
    assert max(n for _, n in versions) >= 2
    assert duckdb.sql("select count(distinct call_id) = count(*) from api").fetchall() != [
        (True,)
    ], "duplicate ingestion replays ids"


def test_api_structure_worth_finding(tmp_path: Path) -> None:
    """Heavy tail, slow regions, weekly shape and interaction effects are in the data."""
    cfg = GeneratorConfig(seed=3, days=28, api_calls_per_day=4_000, players=300, incidents=False)
    path = generate(cfg, tmp_path).paths["api_calls"]
    con = duckdb.connect()
    con.sql(f"create view api as select * from read_csv('{path}')")
    p50, p99 = con.sql(
        "select median(latency_ms / m), quantile_cont(latency_ms / m, 0.99) from api "
        "join (select api_name, median(latency_ms) m from api group by 1) using (api_name)"
    ).fetchall()[0]
    assert p99 / p50 > 5  # heavy tail
    slow, fast = con.sql(
        "select max(m), min(m) from (select region, median(latency_ms) m from api "
        "where api_name = 'face_match' group by 1)"
    ).fetchall()[0]
    assert slow / fast > 1.4
    weekday, weekend = con.sql(
        "select avg(n) filter (where dow not in (0, 6)), avg(n) filter (where dow in (0, 6)) "
        "from (select requested_at::date d, dayofweek(d) dow, count(*) n from api group by 1)"
    ).fetchall()[0]
    assert weekday > 1.15 * weekend
    # ap-south x driving_licence fails far more than driving_licence elsewhere.
    inter, other = con.sql(
        "select avg((status = 'failure')::int) filter (where region = 'ap-south'), "
        "avg((status = 'failure')::int) filter (where region in ('eu-west', 'us-east')) "
        "from api where document_type = 'driving_licence'"
    ).fetchall()[0]
    assert inter > 1.8 * other
    assert con.sql("select count(*) from api where status <> lower(status)").fetchall() == [(0,)]


def test_game_vocabularies_and_player_structure(csv_run) -> None:
    # Sessions hit by a quarantine-heavy day (event_name 'n/a') are tested elsewhere.
    game = _raw(csv_run.paths["game_events"]).filter(
        f"session_id not in (select session_id from read_csv('{csv_run.paths['game_events']}', "
        "all_varchar = true) where event_name = 'n/a')"
    )

    def distinct(column: str) -> set[str]:
        return {r[0] for r in game.select(column).distinct().fetchall()}

    assert distinct("platform") == {"ios", "android", "web"}
    assert distinct("acquisition_channel") == {
        "organic", "paid_social", "paid_search", "influencer", "cross_promo",
    }  # fmt: skip
    assert all(len(c) == 2 and c.isupper() for c in distinct("country"))
    assert {"session_start", "level_complete", "purchase"} <= distinct("event_name")
    assert game.filter("event_name = 'level_complete' and level is null").fetchall() == []
    assert game.filter("event_name <> 'level_complete' and level is not null").fetchall() == []
    assert game.filter("event_name like '%purchase' and revenue_usd is null").fetchall() == []
    assert (
        game.filter("event_name not like '%purchase' and revenue_usd is not null").fetchall() == []
    )
    # Every session opens with session_start.
    orphan = duckdb.sql(
        "select count(*) from (select session_id from game group by 1 "
        "having count(*) filter (where event_name = 'session_start') = 0)"
    ).fetchall()
    assert orphan == [(0,)]


def test_game_defaults_give_meaningful_kpis(tmp_path: Path) -> None:
    """Retention, whales and weekly seasonality on a clean, mid-sized run."""
    cfg = GeneratorConfig(seed=5, days=35, api_calls_per_day=10, players=8_000, incidents=False)
    path = generate(cfg, tmp_path).paths["game_events"]
    con = duckdb.connect()
    con.sql(f"create view g as select * from read_csv('{path}')")
    d1 = con.sql(
        "with act as (select distinct user_id, install_date, event_at::date d from g), "
        "new as (select * from act where d = install_date and d < date '2026-08-04') "
        "select avg((exists (select 1 from act a where a.user_id = new.user_id "
        "and a.d = new.d + 1))::int) from new"
    ).fetchall()[0][0]
    assert 0.25 <= d1 <= 0.45
    spend = [r[0] for r in con.sql(
        "select sum(revenue_usd) s from g where revenue_usd is not null group by user_id "
        "order by s desc"
    ).fetchall()]  # fmt: skip
    top = spend[: max(1, len(spend) // 20)]
    assert sum(top) > 0.3 * sum(spend)  # whales: top 5% of payers bring > 30% of revenue
    weekend, weekday = con.sql(
        "select avg(n) filter (where dow in (0, 6)), avg(n) filter (where dow not in (0, 6)) "
        "from (select event_at::date d, dayofweek(d) dow, count(distinct user_id) n "
        "from g group by 1)"
    ).fetchall()[0]
    assert weekend > 1.08 * weekday
    max_sessions = con.sql(
        "select max(n) from (select user_id, event_at::date, count(distinct session_id) n "
        "from g group by all)"
    ).fetchall()[0][0]
    assert max_sessions <= 12  # real players never look like bots


def test_incident_selection_and_no_incidents(tmp_path: Path) -> None:
    only = generate(
        GeneratorConfig(seed=1, incident_types=("bot_spike", "status_casing"), **SMALL),
        tmp_path / "only",
    )
    assert sorted((i.dataset, i.incident_type, i.spec.variant) for i in only.incidents) == [
        ("api_calls", "schema_drift", "status_casing"),
        ("game_events", "bot_spike", ""),
    ]
    none = generate(GeneratorConfig(seed=1, incidents=False, **SMALL), tmp_path / "none")
    assert none.row_counts["injected_incidents"] == 0
    labels = none.paths["injected_incidents"].read_text().splitlines()
    assert labels == [",".join(LABEL_COLUMNS)]
    with pytest.raises(ValueError, match="unknown incident type"):
        GeneratorConfig(incident_types=("meteor_strike",))
    with pytest.raises(ValueError, match="format"):
        GeneratorConfig(fmt="json")


def test_short_periods_warn_and_never_crash(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="not injected"):
        short = generate(GeneratorConfig(seed=2, days=22, api_calls_per_day=50, players=300),
                         tmp_path / "short")  # fmt: skip
    assert 0 < len(short.incidents) < 17
    assert short.warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiny = generate(GeneratorConfig(seed=2, days=2, api_calls_per_day=50, players=300),
                        tmp_path / "tiny")  # fmt: skip
    assert tiny.incidents == [] and tiny.row_counts["api_calls"] > 0


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_trust", *args], capture_output=True, text=True, check=False
    )


def test_cli_help_describes_every_option() -> None:
    done = _cli("generate", "--help")
    assert done.returncode == 0
    for option in (
        "--seed", "--start-date", "--days", "--api-calls-per-day", "--players", "--format",
        "--out", "--warmup-days", "--no-incidents", "--incident-types",
    ):  # fmt: skip
        assert option in done.stdout, option
    assert "generate" in _cli("--help").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--days", "ninety"), "--days must be a whole number"),
        (("--days", "0"), "--days must be >= 1"),
        (("--format", "xlsx"), "--format must be one of csv, parquet"),
        (("--start-date", "01/07/2026"), "--start-date must be YYYY-MM-DD"),
        (("--incident-types", "bot_spike,meteor"), "unknown incident type(s) meteor"),
    ],
)
def test_cli_bad_option_is_one_clear_line(tmp_path: Path, args: tuple[str, ...], message: str):
    done = _cli("generate", "--out", str(tmp_path), *args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kpi-trust generate: error: ")
    assert message in lines[0]
    assert "Traceback" not in done.stderr


def test_cli_writes_files(tmp_path: Path) -> None:
    done = _cli(
        "generate", "--out", str(tmp_path), "--days", "20", "--api-calls-per-day", "40",
        "--players", "200", "--format", "parquet", "--incident-types", "late_batch",
        "--warmup-days", "3",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "api_calls.parquet").exists() and (tmp_path / "game_events.parquet").exists()
    labels = (tmp_path / "injected_incidents.csv").read_text().splitlines()
    assert len(labels) == 3 and all(",late_batch," in line for line in labels[1:])
