"""Every injected incident is visible exactly where its label says, and nowhere else.

For each incident type the test looks for its *symptom* in the raw data (upper-case statuses,
null ids, repeated ids, negative or > 6 h ingestion lag, bot-like users, ...) and checks that
every symptomatic row lies inside a labelled window and slice of that type, that the labelled
window really shows it, and that the strength matches the label's magnitude. Business incidents
are checked by their effect size. Two seeds, so different schedules and slices are exercised.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from kpi_trust.generator import GeneratorConfig, generate

START = date(2026, 7, 1)
DAYS = 40
WARMUP = 14

# docs/design.md section 2, copied (not imported) so the generator cannot drift from it.
API_ALL = (
    "api_calls|api_success_rate|api_failure_rate|api_timeout_rate|"
    "api_p50_latency_ms|api_p95_latency_ms|api_p99_latency_ms"
)
GAME_ALL = (
    "dau|new_users|sessions|purchasers|purchases|revenue_usd|conversion_rate|arpdau|arppu|"
    "d1_retention|levels_completed"
)
PURCHASE = "purchasers|purchases|revenue_usd|conversion_rate|arpdau|arppu"
LATENCY = "api_p50_latency_ms|api_p95_latency_ms|api_p99_latency_ms"
EXPECTED_KPIS = {
    ("game_events", "tracking_outage"): {PURCHASE},
    ("game_events", "schema_drift"): {PURCHASE},
    ("api_calls", "schema_drift"): {"api_success_rate|api_failure_rate|api_timeout_rate", LATENCY},
    ("game_events", "bot_spike"): {
        "dau|new_users|sessions|conversion_rate|arpdau|d1_retention|levels_completed"
    },
    ("api_calls", "timestamp_shift"): {API_ALL},
    ("game_events", "timestamp_shift"): {GAME_ALL},
    ("api_calls", "duplicate_ingestion"): {"api_calls"},
    ("game_events", "duplicate_ingestion"): {
        "sessions|purchases|revenue_usd|arpdau|arppu|levels_completed"
    },
    ("api_calls", "null_burst"): {API_ALL},
    ("game_events", "null_burst"): {GAME_ALL},
    ("api_calls", "late_batch"): {API_ALL},
    ("game_events", "late_batch"): {GAME_ALL},
    ("api_calls", "latency_regression"): {LATENCY},
    ("api_calls", "failure_spike"): {"api_success_rate|api_failure_rate"},
    ("game_events", "conversion_drop"): {"purchasers|purchases|revenue_usd|conversion_rate|arpdau"},
    ("game_events", "campaign_spike"): {"dau|new_users|sessions"},
}
# Pipeline failures added later (lower priority: in 40 days only some of them fit).
NEW_KPIS = {
    ("game_events", "partial_event_loss"): {PURCHASE},
    ("api_calls", "pipeline_stall"): {API_ALL},
    ("game_events", "pipeline_stall"): {GAME_ALL},
    ("api_calls", "batch_clock_skew"): {API_ALL},
    ("game_events", "batch_clock_skew"): {GAME_ALL},
    ("api_calls", "implausible_timestamp"): {API_ALL},
    ("game_events", "implausible_timestamp"): {GAME_ALL},
    ("api_calls", "quarantine_heavy_day"): {API_ALL},
    ("game_events", "quarantine_heavy_day"): {GAME_ALL},
}
NEW_TYPES = tuple(sorted({itype for _, itype in NEW_KPIS}))
ONE_DAY = ("pipeline_stall", "implausible_timestamp", "quarantine_heavy_day")
# Can the warehouse repair the KPI fully? Empty for business incidents (nothing to repair).
REPAIRABLE = {
    "schema_drift": "true",
    "duplicate_ingestion": "true",
    "bot_spike": "true",
    "null_burst": "false",
    "late_batch": "false",
    "timestamp_shift": "false",
    "tracking_outage": "false",
    **{itype: "false" for itype in NEW_TYPES},
    **{b: "" for b in ("latency_regression", "failure_spike", "conversion_drop", "campaign_spike")},
}
SLICE_COLUMNS = {
    "api_calls": {"api_name", "region", "document_type"},
    "game_events": {"platform", "acquisition_channel", "country"},
}
TIME = {"api_calls": "requested_at", "game_events": "event_at"}


class Data:
    """One generated dataset with its labels, queryable through DuckDB views."""

    def __init__(
        self,
        seed: int,
        out: Path,
        incident_types: tuple[str, ...] | None = None,
        players: int = 12_000,
    ) -> None:
        cfg = GeneratorConfig(
            seed=seed,
            start_date=START,
            days=DAYS,
            api_calls_per_day=1_000,
            players=players,
            fmt="parquet",
            warmup_days=WARMUP,
            incident_types=incident_types,
        )
        self.result = generate(cfg, out)
        self.con = duckdb.connect()
        for name in ("api_calls", "game_events"):
            self.con.sql(f"create view {name} as select * from '{self.result.paths[name]}'")
        with open(self.result.paths["injected_incidents"], newline="") as handle:
            self.labels = list(csv.DictReader(handle))
        self.params = {i.incident_id: i.params for i in self.result.incidents}

    def of(self, dataset: str, itype: str, variant: str = "") -> list[dict]:
        rows = [r for r in self.labels if r["dataset"] == dataset and r["incident_type"] == itype]
        if variant:
            key = "upper case" if variant == "status_casing" else "seconds"
            rows = [r for r in rows if key in r["description"]]
        return rows

    def window(self, label: dict) -> str:
        """SQL predicate: inside the label's window."""
        time = TIME[label["dataset"]]
        return f"({time} >= '{label['start_at']}' and {time} < '{label['end_at']}')"

    @staticmethod
    def slice(label: dict) -> str:
        """SQL predicate: inside the label's slice: any element of its root-cause set, each pair
        on the log's slice columns (an API schema drift's api_version is what the drift does,
        not where)."""
        if label["root_cause"] == "all":
            return "true"
        elements = []
        for element in label["root_cause"].split(";"):
            pairs = [pair.split("=", 1) for pair in element.split("&")]
            conds = [f"{k} = '{v}'" for k, v in pairs if k in SLICE_COLUMNS[label["dataset"]]]
            elements.append("(" + " and ".join(conds) + ")")
        return "(" + " or ".join(elements) + ")"

    def where(self, label: dict) -> str:
        """SQL predicate: inside the label's window and slice."""
        return f"({self.window(label)} and {self.slice(label)})"

    def any_of(self, labels: list[dict]) -> str:
        return "(" + " or ".join(self.where(lb) for lb in labels) + ")" if labels else "false"

    def one(self, sql: str):
        return self.con.sql(sql).fetchall()[0][0]

    def clean_days(self, dataset: str) -> str:
        """SQL predicate on column `d`: days touched by no incident of the dataset."""
        conds = [
            f"(d >= '{lb['start_at'][:10]}'::date and d <= '{lb['end_at'][:10]}'::date)"
            for lb in self.labels
            if lb["dataset"] == dataset
        ]
        first, end = START + timedelta(days=WARMUP // 2), START + timedelta(days=DAYS)
        return f"d >= '{first}' and d < '{end}' and not (" + " or ".join(conds) + ")"


@pytest.fixture(scope="module", params=[11, 12], ids=["seed11", "seed12"])
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Data:
    return Data(request.param, tmp_path_factory.mktemp(f"incidents_{request.param}"))


@pytest.fixture(scope="module", params=[11, 12], ids=["seed11", "seed12"])
def new_data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Data:
    """Only the pipeline-failure kinds, so every one of them fits in 40 days; more players so a
    one-slice share of a day's purchases is a sample large enough to measure a magnitude."""
    out = tmp_path_factory.mktemp(f"pipeline_{request.param}")
    return Data(request.param, out, NEW_TYPES, players=80_000)


def plausible(dataset: str) -> str:
    """SQL predicate: the recorded time lies in (or a day around) the log's period."""
    time = TIME[dataset]
    first, end = START - timedelta(days=1), START + timedelta(days=DAYS + 1)
    return f"({time} >= '{first}' and {time} < '{end}')"


# -- the labels themselves ---------------------------------------------------------------------


def test_every_type_is_labelled_with_the_contract_lineage(data: Data, new_data: Data) -> None:
    kinds = {(r["dataset"], r["incident_type"]) for r in data.labels}
    assert kinds - set(NEW_KPIS) == set(EXPECTED_KPIS)  # every older kind keeps its place
    assert {(r["dataset"], r["incident_type"]) for r in new_data.labels} == set(NEW_KPIS)
    assert len(data.of("api_calls", "schema_drift")) == 2  # casing and latency unit
    assert len([r for r in data.labels if r["incident_type"] not in NEW_TYPES]) == 17
    for row in data.labels + new_data.labels:
        lineage = {**EXPECTED_KPIS, **NEW_KPIS}[(row["dataset"], row["incident_type"])]
        assert row["affected_kpis"] in lineage
        assert row["is_repairable"] == REPAIRABLE[row["incident_type"]], row
        assert row["category"] == (
            "business"
            if row["incident_type"]
            in ("latency_regression", "failure_spike", "conversion_drop", "campaign_spike")
            else "data_quality"
        )
        dim = row["slice_dimension"]
        assert dim == "all" or dim in SLICE_COLUMNS[row["dataset"]]
        assert (row["slice_value"] == "all") == (dim == "all")
        # the root-cause set: 'all', or elements whose first holds the labelled slice
        assert (row["root_cause"] == "all") == (dim == "all")
        if dim != "all":
            elements = [e.split("&") for e in row["root_cause"].split(";")]
            assert any(f"{dim}={row['slice_value']}" in e for e in elements), row
            for element in elements:
                assert element == sorted(element)
                for pair in element:
                    key = pair.split("=", 1)[0]
                    assert key in SLICE_COLUMNS[row["dataset"]] | {"api_version"}, row


def test_some_incidents_hit_combinations_and_two_slices(data: Data) -> None:
    """A timezone bug of the game hits one platform in one country; one of the API hits two
    regions; a failure spike two document types; a latency regression one API in one region."""
    (shift,) = data.of("game_events", "timestamp_shift")
    assert shift["root_cause"].split("&")[0].startswith("country=")
    assert f"platform={shift['slice_value']}" in shift["root_cause"].split("&")
    for dataset, itype, dim in (
        ("api_calls", "timestamp_shift", "region"),
        ("api_calls", "failure_spike", "document_type"),
    ):
        (label,) = data.of(dataset, itype)
        elements = label["root_cause"].split(";")
        assert len(elements) == 2 and len(set(elements)) == 2, label
        assert all(e.startswith(f"{dim}=") and "&" not in e for e in elements), label
    (latency,) = data.of("api_calls", "latency_regression")
    assert latency["root_cause"].startswith(f"api_name={latency['slice_value']}&region=")


@pytest.mark.parametrize("which", ["all", "new"])
def test_windows_are_whole_days_after_warmup_and_apart(data: Data, new_data: Data, which) -> None:
    labels = data.labels if which == "all" else new_data.labels
    first = datetime(START.year, START.month, START.day) + timedelta(days=WARMUP)
    last = datetime(START.year, START.month, START.day) + timedelta(days=DAYS)
    for dataset in ("api_calls", "game_events"):
        rows = sorted((r for r in labels if r["dataset"] == dataset), key=lambda r: r["start_at"])
        previous_end = None
        for row in rows:
            start = datetime.fromisoformat(row["start_at"])
            end = datetime.fromisoformat(row["end_at"])
            assert start.time().hour == 0 and start >= first and end <= last
            length = end - start
            if row["incident_type"] in ("timestamp_shift", "batch_clock_skew"):
                shift = float(row["magnitude"])
                assert 2 <= shift <= 9
                length -= timedelta(hours=shift)
            assert length.seconds == 0
            business = row["category"] == "business"
            assert (2 if business else 1) <= length.days <= (5 if business else 3)
            if row["incident_type"] in ONE_DAY:
                assert length.days == 1
            if row["incident_type"] == "batch_clock_skew":
                assert length.days <= 2
            if previous_end is not None:  # at least one clean whole day in between
                clean_from = previous_end.replace(hour=0) + timedelta(
                    days=1 if previous_end.hour else 0
                )
                assert start >= clean_from + timedelta(days=1)
            previous_end = end


def test_magnitudes_are_in_the_contract_ranges(data: Data, new_data: Data) -> None:
    ranges = {
        "tracking_outage": (0.9, 1.0),
        "duplicate_ingestion": (0.1, 0.5),
        "null_burst": (0.2, 0.6),
        "late_batch": (0.3, 0.7),
        "latency_regression": (2.0, 4.0),
        "failure_spike": (0.15, 0.35),
        "conversion_drop": (0.4, 0.7),
        "campaign_spike": (3.0, 6.0),
        "partial_event_loss": (0.15, 0.6),
        "pipeline_stall": (4 / 24 - 1e-4, 16 / 24 + 1e-4),
        "batch_clock_skew": (3, 9),
        "implausible_timestamp": (0.15, 0.6),
        "quarantine_heavy_day": (0.15, 0.6),
    }
    for row in data.labels + new_data.labels:
        low, high = ranges.get(row["incident_type"], (0.0, 10.0))
        assert low <= float(row["magnitude"]) <= high, row


# -- api_calls data-quality incidents ----------------------------------------------------------


def test_status_casing_only_in_its_window_slice_and_version(data: Data) -> None:
    (label,) = data.of("api_calls", "schema_drift", "status_casing")
    version = data.params[label["incident_id"]]["api_version"]
    leaked = data.one(
        f"select count(*) from api_calls where status <> lower(status) "
        f"and not ({data.where(label)} and api_version = '{version}')"
    )
    assert leaked == 0
    share = data.one(
        f"select avg((status <> lower(status))::int) from api_calls where {data.where(label)}"
    )
    assert abs(share - float(label["magnitude"])) < 0.15
    # The drifted release exists only inside the window.
    outside = f"select count(*) from api_calls where api_version = '{version}' and not "
    assert data.one(outside + data.where(label)) == 0


def test_latency_unit_only_in_its_window_slice(data: Data) -> None:
    (label,) = data.of("api_calls", "schema_drift", "latency_unit")
    version = data.params[label["incident_id"]]["api_version"]
    api = label["slice_value"]
    drifted, normal = data.con.sql(
        f"select median(latency_ms) filter (where api_version = '{version}'), "
        f"median(latency_ms) filter (where not {data.where(label)}) "
        f"from api_calls where api_name = '{api}'"
    ).fetchall()[0]
    assert drifted < normal / 300  # seconds, not milliseconds
    outside = f"select count(*) from api_calls where api_version = '{version}' and not "
    assert data.one(outside + data.where(label)) == 0
    # Every three-part (patch) version is a labelled drift release, inside its window.
    drifts = data.of("api_calls", "schema_drift")
    leaked = data.one(
        "select count(*) from api_calls where regexp_matches(api_version, '^v\\d+\\.\\d+\\.\\d+$') "
        f"and not {data.any_of(drifts)}"
    )
    assert leaked == 0


def test_api_null_latency_only_in_null_burst(data: Data) -> None:
    (label,) = data.of("api_calls", "null_burst")
    leaked = data.one(
        f"select count(*) from api_calls where latency_ms is null and not {data.where(label)}"
    )
    assert leaked == 0
    share = data.one(
        f"select avg((latency_ms is null)::int) from api_calls where {data.where(label)}"
    )
    assert abs(share - float(label["magnitude"])) < 0.1


def _check_duplicates(data: Data, dataset: str, id_column: str) -> None:
    (label,) = data.of(dataset, "duplicate_ingestion")
    dup = (
        f"select * from {dataset} where {id_column} in "
        f"(select {id_column} from {dataset} group by 1 having count(*) > 1)"
    )
    assert data.one(f"select count(*) from ({dup}) where not {data.where(label)}") == 0
    n_dup_ids = data.one(f"select count(distinct {id_column}) from ({dup})")
    window_ids = data.one(
        f"select count(distinct {id_column}) from {dataset} where {data.where(label)}"
    )
    share = n_dup_ids / window_ids
    magnitude = float(label["magnitude"])
    assert 0.5 * magnitude - 0.05 < share < 1.5 * magnitude + 0.05
    # Replays: exactly two copies, identical content, later ingestion, a new batch id.
    check = data.con.sql(
        f"select count(*), count(distinct {id_column}), "
        "bool_and(r.ingested_at > o.ingested_at), bool_and(r.batch_id <> o.batch_id), "
        "bool_and(r.batch_id like '%_replay') "
        f"from ({dup}) o join ({dup}) r using ({id_column}) "
        "where o.batch_id not like '%_replay' and r.batch_id like '%_replay'"
    ).fetchall()[0]
    assert check[0] == check[1] == n_dup_ids and all(check[2:])


def test_api_duplicates_only_in_window(data: Data) -> None:
    _check_duplicates(data, "api_calls", "call_id")


def _check_late(data: Data, dataset: str) -> None:
    (label,) = data.of(dataset, "late_batch")
    time = TIME[dataset]
    lag_h = f"(epoch(ingested_at) - epoch({time})) / 3600"
    late = f"select * from {dataset} where {lag_h} > 6 and {plausible(dataset)}"
    assert data.one(f"select count(*) from ({late}) where not {data.where(label)}") == 0
    low, high = data.con.sql(f"select min({lag_h}), max({lag_h}) from ({late})").fetchall()[0]
    assert low >= 30 and high <= 72.4
    share = data.one(f"select avg(({lag_h} > 6)::int) from {dataset} where {data.where(label)}")
    assert abs(share - float(label["magnitude"])) < 0.15


def test_api_late_batch_only_in_window(data: Data) -> None:
    _check_late(data, "api_calls")


def _check_shift(data: Data, dataset: str) -> None:
    (label,) = data.of(dataset, "timestamp_shift")
    time = TIME[dataset]
    # Implausible (far-future) times and batch clock skews are tested by their own tests.
    skews = data.of(dataset, "batch_clock_skew")
    future = f"select * from {dataset} where {time} > ingested_at and {plausible(dataset)}"
    outside = f"not {data.where(label)} and not {data.any_of(skews)}"
    assert data.one(f"select count(*) from ({future}) where {outside}") == 0
    assert data.one(f"select count(*) from ({future})") > 0
    start = datetime.fromisoformat(label["start_at"])
    shift = timedelta(hours=float(label["magnitude"]))
    window_end = datetime.fromisoformat(label["end_at"]) - shift
    in_slice = data.slice(label)
    # The slice's first `shift` hours of the window are empty: all its rows moved later ...
    gap = data.one(
        f"select count(*) from {dataset} where {in_slice} "
        f"and {time} >= '{start}' and {time} < '{start + shift}'"
    )
    assert gap == 0
    # ... and every slice row recorded in the rest of the window was shifted.
    unshifted = data.one(
        f"select count(*) from {dataset} where {in_slice} and {time} <= ingested_at "
        f"and {time} >= '{start + shift}' and {time} < '{window_end}'"
    )
    assert unshifted == 0
    # Outside the incident, ingestion lag is positive and small (seconds to 20 minutes).
    normal = data.one(
        f"select max(epoch(ingested_at) - epoch({time})) from {dataset} where {plausible(dataset)} "
        f"and not {data.any_of([r for r in data.labels if r['dataset'] == dataset])}"
    )
    assert 0 < normal <= 1_200


def test_api_timestamp_shift_only_in_window_and_region(data: Data) -> None:
    _check_shift(data, "api_calls")


# -- api_calls business incidents --------------------------------------------------------------


def test_latency_regression_slows_one_api_in_one_region(data: Data) -> None:
    (label,) = data.of("api_calls", "latency_regression")
    region = data.params[label["incident_id"]]["region"]
    inside, outside = data.con.sql(
        f"select median(latency_ms) filter (where {data.where(label)}), "
        f"median(latency_ms) filter (where not {data.where(label)}) from api_calls "
        f"where api_name = '{label['slice_value']}' and region = '{region}' "
        "and lower(status) <> 'timeout'"
    ).fetchall()[0]
    ratio = inside / outside
    assert 0.75 * float(label["magnitude"]) < ratio < 1.25 * float(label["magnitude"])
    # Other regions of the same API are untouched.
    other = data.con.sql(
        f"select median(latency_ms) filter (where {data.window(label)}) / "
        f"median(latency_ms) filter (where not {data.window(label)}) from api_calls "
        f"where api_name = '{label['slice_value']}' and region <> '{region}'"
    ).fetchall()[0][0]
    assert 0.8 < other < 1.25


def test_failure_spike_raises_its_document_types_failure_rate(data: Data) -> None:
    (label,) = data.of("api_calls", "failure_spike")
    docs = [element.split("=", 1)[1] for element in label["root_cause"].split(";")]
    assert label["slice_value"] in docs
    clean = data.clean_days("api_calls")
    for doc in docs:  # each rejected document type by the labelled magnitude
        inside, outside = data.con.sql(
            f"select avg((lower(status) = 'failure')::int) filter (where {data.where(label)}), "
            f"avg((lower(status) = 'failure')::int) filter (where {clean}) "
            f"from (select *, requested_at::date d from api_calls) where document_type = '{doc}'"
        ).fetchall()[0]
        assert abs((inside - outside) - float(label["magnitude"])) < 0.07, doc
    others = data.con.sql(
        f"select avg((lower(status) = 'failure')::int) filter (where {data.window(label)}), "
        f"avg((lower(status) = 'failure')::int) filter (where {clean}) "
        f"from (select *, requested_at::date d from api_calls) where not {data.slice(label)}"
    ).fetchall()[0]
    assert abs(others[0] - others[1]) < 0.03


# -- game_events data-quality incidents --------------------------------------------------------


def _daily(data: Data, select: str, where: str = "true") -> str:
    return (
        f"select event_at::date d, {select} from game_events where {where} "
        "and user_id is not null group by 1"
    )


def test_tracking_outage_drops_purchases_in_window_and_slice(data: Data) -> None:
    (label,) = data.of("game_events", "tracking_outage")
    cond = data.slice(label)
    rate = "count(*) filter (where event_name = 'purchase') / count(distinct user_id) r"
    window = f"d >= '{label['start_at'][:10]}' and d < '{label['end_at'][:10]}'"
    inside, baseline = data.con.sql(
        f"select avg(r) filter (where {window}), avg(r) filter (where "
        f"{data.clean_days('game_events')}) from ({_daily(data, rate, cond)})"
    ).fetchall()[0]
    assert inside < (1.0 - float(label["magnitude"]) + 0.25) * baseline


def test_event_rename_only_in_window_and_platform(data: Data) -> None:
    (label,) = data.of("game_events", "schema_drift")
    renamed = "select * from game_events where event_name = 'in_app_purchase'"
    assert data.one(f"select count(*) from ({renamed}) where not {data.where(label)}") == 0
    share = data.one(
        "select avg((event_name = 'in_app_purchase')::int) from game_events "
        f"where event_name like '%purchase' and {data.where(label)}"
    )
    assert abs(share - float(label["magnitude"])) < 0.25
    assert data.one(f"select count(*) from ({renamed})") > 0


def test_bots_only_in_bot_windows(data: Data) -> None:
    (label,) = data.of("game_events", "bot_spike")
    busy = (
        "select user_id, event_at::date d, any_value(acquisition_channel) channel, "
        "any_value(install_date) installed, count(distinct session_id) sessions, "
        "count(*) filter (where event_name like '%purchase') buys "
        "from game_events where user_id is not null group by 1, 2 having sessions >= 20"
    )
    window = f"d >= '{label['start_at'][:10]}' and d < '{label['end_at'][:10]}'"
    assert data.one(f"select count(*) from ({busy}) where not ({window})") == 0
    assert data.one(f"select count(*) from ({busy}) where channel <> '{label['slice_value']}'") == 0
    assert data.one(f"select count(*) from ({busy}) where installed <> d or buys > 0") == 0
    ratio = data.one(
        f"select avg(bots / (dau - bots)) from (select d, count(*) bots from ({busy}) group by 1) "
        f"join ({_daily(data, 'count(distinct user_id) dau')}) using (d)"
    )
    assert abs(ratio - float(label["magnitude"])) < 0.05


def test_game_null_user_id_only_in_null_burst(data: Data) -> None:
    (label,) = data.of("game_events", "null_burst")
    leaked = data.one(
        f"select count(*) from game_events where user_id is null and not {data.where(label)}"
    )
    assert leaked == 0
    share = data.one(
        f"select avg((user_id is null)::int) from game_events where {data.where(label)}"
    )
    assert abs(share - float(label["magnitude"])) < 0.1


def test_game_duplicates_only_in_window(data: Data) -> None:
    _check_duplicates(data, "game_events", "event_id")


def test_game_late_batch_only_in_window(data: Data) -> None:
    _check_late(data, "game_events")


def test_game_timestamp_shift_only_in_window_and_platform(data: Data) -> None:
    _check_shift(data, "game_events")


# -- game_events business incidents ------------------------------------------------------------


def test_conversion_drop_lowers_conversion(data: Data) -> None:
    (label,) = data.of("game_events", "conversion_drop")
    conv = (
        "count(distinct user_id) filter (where event_name = 'purchase') / count(distinct user_id) c"
    )
    window = f"d >= '{label['start_at'][:10]}' and d < '{label['end_at'][:10]}'"
    inside, baseline = data.con.sql(
        f"select avg(c) filter (where {window}), "
        f"avg(c) filter (where {data.clean_days('game_events')}) from ({_daily(data, conv)})"
    ).fetchall()[0]
    assert inside / baseline < float(label["magnitude"]) + 0.3
    # Every platform alike (what tells a real drop from a one-platform tracking outage).
    for platform in ("ios", "android"):
        daily = _daily(data, conv, f"platform = '{platform}'")
        inside, baseline = data.con.sql(
            f"select avg(c) filter (where {window}), avg(c) filter (where "
            f"{data.clean_days('game_events')}) from ({daily})"
        ).fetchall()[0]
        assert inside / baseline < float(label["magnitude"]) + 0.35, platform


def test_campaign_multiplies_installs_in_one_channel(data: Data) -> None:
    (label,) = data.of("game_events", "campaign_spike")
    installs = (
        "select install_date d, count(distinct user_id) n from game_events "
        f"where acquisition_channel = '{label['slice_value']}' and install_date = event_at::date "
        "and user_id is not null group by 1"
    )
    window = f"d >= '{label['start_at'][:10]}' and d < '{label['end_at'][:10]}'"
    inside, baseline = data.con.sql(
        f"select avg(n) filter (where {window}), "
        f"avg(n) filter (where {data.clean_days('game_events')}) from ({installs})"
    ).fetchall()[0]
    magnitude = float(label["magnitude"])
    assert 0.65 * magnitude < inside / baseline < 1.35 * magnitude


# -- pipeline failures (the `new_data` runs: only these kinds) -----------------------------------

ID = {"api_calls": ("call_id", 5), "game_events": ("event_id", 1)}


def _gaps(data: Data, dataset: str) -> str:
    """Runs of ids that were generated but never delivered (ids are given in time order).

    One row per gap: `missing` ids, between the delivered rows at `before_at` and `after_at`.
    """
    column, prefix = ID[dataset]
    time = TIME[dataset]
    return (
        f"select * from (select n - lag(n) over (order by n) - 1 missing, "
        f"lag({time}) over (order by n) before_at, {time} after_at "
        f"from (select substr({column}, {prefix + 1})::bigint n, {time} from {dataset})) "
        "where missing > 0"
    )


@pytest.mark.parametrize("dataset", ["api_calls", "game_events"])
def test_rows_go_missing_only_in_loss_windows(new_data: Data, dataset: str) -> None:
    losses = [
        r
        for r in new_data.labels
        if r["dataset"] == dataset
        and r["incident_type"] in ("pipeline_stall", "partial_event_loss")
    ]
    stray = new_data.one(
        f"select count(*) from ({_gaps(new_data, dataset)}) where not ("
        + " or ".join(
            f"(before_at < '{r['end_at']}' and after_at >= '{r['start_at']}')" for r in losses
        )
        + ")"
    )
    assert stray == 0


@pytest.mark.parametrize("dataset", ["api_calls", "game_events"])
def test_pipeline_stall_loses_everything_after_the_cutoff(new_data: Data, dataset: str) -> None:
    (label,) = new_data.of(dataset, "pipeline_stall")
    time = TIME[dataset]
    assert label["slice_dimension"] == "all" and label["is_repairable"] == "false"
    start = datetime.fromisoformat(label["start_at"])
    cutoff = 24 - round(float(label["magnitude"]) * 24)
    assert 8 <= cutoff <= 20 and f"{cutoff:02d}:00" in label["description"]
    stalled = start + timedelta(hours=cutoff)
    after = f"{time} >= '{stalled}' and {time} < '{label['end_at']}'"
    assert new_data.one(f"select count(*) from {dataset} where {after}") == 0
    before = f"{time} >= '{start}' and {time} < '{stalled}'"
    kept = new_data.one(f"select count(*) from {dataset} where {before}")
    assert kept > 0
    # The lost rows are the ids missing right after the day's last delivered row, and their
    # share of the day is what the same hours hold on clean days.
    lost = new_data.one(
        f"select sum(missing) from ({_gaps(new_data, dataset)}) "
        f"where before_at >= '{start}' and before_at < '{stalled}'"
    )
    clean = new_data.clean_days(dataset)
    expected = new_data.one(
        f"select avg((hour({time}) >= {cutoff})::int) from "
        f"(select *, {time}::date d from {dataset}) where {clean}"
    )
    assert abs(lost / (lost + kept) - expected) < 0.08


def test_partial_event_loss_drops_a_share_of_one_slices_purchases(new_data: Data) -> None:
    (label,) = new_data.of("game_events", "partial_event_loss")
    dim, value = label["slice_dimension"], label["slice_value"]
    assert dim in ("country", "acquisition_channel", "platform")
    share = new_data.one(f"select avg(({dim} = '{value}')::int) from game_events")
    assert share >= 0.13  # a value that matters (>= ~15 % of the traffic)
    window = f"event_at >= '{label['start_at']}' and event_at < '{label['end_at']}'"
    kept = new_data.one(
        f"select count(*) from game_events where {window} and {dim} = '{value}' "
        "and event_name = 'purchase'"
    )
    lost = new_data.one(
        f"select sum(missing) from ({_gaps(new_data, 'game_events')}) "
        f"where before_at < '{label['end_at']}' and after_at >= '{label['start_at']}'"
    )
    magnitude = float(label["magnitude"])
    assert 0.15 <= magnitude <= 0.6
    assert abs(lost / (lost + kept) - magnitude) < 0.15
    # Only purchases go missing: every other event type keeps its usual rate per active user.
    rate = "count(*) filter (where event_name = 'session_start') / count(distinct user_id) r"
    day_window = f"d >= '{label['start_at'][:10]}' and d < '{label['end_at'][:10]}'"
    inside, baseline = new_data.con.sql(
        f"select avg(r) filter (where {day_window}), avg(r) filter (where "
        f"{new_data.clean_days('game_events')}) from ({_daily(new_data, rate)})"
    ).fetchall()[0]
    assert abs(inside / baseline - 1) < 0.1


@pytest.mark.parametrize("dataset", ["api_calls", "game_events"])
def test_batch_clock_skew_moves_only_evening_batches_past_midnight(
    new_data: Data, dataset: str
) -> None:
    (label,) = new_data.of(dataset, "batch_clock_skew")
    time = TIME[dataset]
    hours = int(float(label["magnitude"]))
    assert label["slice_dimension"] == ("region" if dataset == "api_calls" else "platform")
    assert (
        datetime.fromisoformat(label["end_at"]) - datetime.fromisoformat(label["start_at"])
    ).seconds == hours * 3600
    future = f"select * from {dataset} where {time} > ingested_at and {plausible(dataset)}"
    assert new_data.one(f"select count(*) from ({future}) where not {new_data.where(label)}") == 0
    # Every skewed row was ingested in one of the day's last `hours` batches, is exactly
    # `hours` minus its ingestion lag ahead, and (nearly always) lands after midnight.
    lead = f"epoch({time}) - epoch(ingested_at)"
    n, evening, exact, next_day = new_data.con.sql(
        f"select count(*), bool_and(hour(ingested_at) >= {24 - hours}), "
        f"bool_and({lead} between {hours * 3600 - 1_200} and {hours * 3600}), "
        f"avg(({time}::date > ingested_at::date)::int) from ({future})"
    ).fetchall()[0]
    assert n > 0 and evening and exact and next_day > 0.95
    # Genuinely unlike a timestamp shift: the slice's earlier batches keep the true time.
    in_slice = new_data.slice(label)
    window = f"ingested_at >= '{label['start_at']}' and ingested_at < '{label['end_at']}'"
    morning, skewed_morning = new_data.con.sql(
        f"select count(*), count(*) filter (where {time} > ingested_at) from {dataset} "
        f"where {in_slice} and {window} and hour(ingested_at) < {24 - hours}"
    ).fetchall()[0]
    assert morning > 0 and skewed_morning == 0
    # ... and all the slice's rows of the evening batches moved.
    unskewed = new_data.one(
        f"select count(*) from {dataset} where {in_slice} and {window} "
        f"and hour(ingested_at) >= {24 - hours} and {time} <= ingested_at "
        f"and ingested_at::date < '{label['end_at'][:10]}'"
    )
    assert unskewed == 0


@pytest.mark.parametrize("dataset", ["api_calls", "game_events"])
def test_implausible_timestamps_only_in_the_ingestion_day_and_slice(
    new_data: Data, dataset: str
) -> None:
    (label,) = new_data.of(dataset, "implausible_timestamp")
    time = TIME[dataset]
    ingested = f"ingested_at >= '{label['start_at']}' and ingested_at < '{label['end_at']}'"
    in_slice = new_data.slice(label)
    odd = f"select * from {dataset} where not {plausible(dataset)}"
    assert new_data.one(f"select count(*) from ({odd}) where not ({ingested} and {in_slice})") == 0
    low, high = new_data.con.sql(
        f"select min(year({time})), max(year({time})) from ({odd})"
    ).fetchall()[0]
    assert 2030 <= low <= high <= 2099 or 1970 <= low <= high <= 2000
    assert ("2030-2099" if low >= 2030 else "1970-2000") in label["description"]
    share = new_data.one(
        f"select avg((not {plausible(dataset)})::int) from {dataset} "
        f"where {ingested} and {in_slice}"
    )
    assert abs(share - float(label["magnitude"])) < 0.1


@pytest.mark.parametrize(
    ("dataset", "column"), [("api_calls", "status"), ("game_events", "event_name")]
)
def test_quarantine_heavy_day_only_in_window_and_slice(
    new_data: Data, dataset: str, column: str
) -> None:
    (label,) = new_data.of(dataset, "quarantine_heavy_day")
    bad = f"select * from {dataset} where {column} = 'n/a'"
    assert new_data.one(f"select count(*) from ({bad}) where not {new_data.where(label)}") == 0
    share = new_data.one(
        f"select avg(({column} = 'n/a')::int) from {dataset} where {new_data.where(label)}"
    )
    assert abs(share - float(label["magnitude"])) < 0.1
