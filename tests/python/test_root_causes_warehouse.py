"""The warehouse's root causes (models/root_cause) on the session's small warehouse: the leaf
cubes add up to the KPIs they decompose, every verdict row gets its causes, ratio causes carry
their rate / mix split, and the evaluation scores them against the labels. Accuracy targets are
asserted on the default 90-day data (docs/root-cause.md); the 35-day small dataset has too few
scorable incidents to hold them, so here the evaluation is checked for consistency."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from kpi_trust.rca.baseline import leaf_expectations
from kpi_trust.rca.cube import build_cube
from kpi_trust.rca.localize import Localization, RootCause
from kpi_trust.rca.warehouse import _close, root_causes


@pytest.fixture(scope="module")
def con(small_warehouse):
    connection = duckdb.connect(str(small_warehouse.db_path), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("basis", "column"), [("adjusted", "value"), ("reported", "value_reported")]
)
def test_leaf_cubes_add_up_to_the_kpis(con, basis, column) -> None:
    """Each basis's leaves sum to the KPI computed from the same rows (value / value_reported)."""
    checks = [
        ("api_calls", "calls", "rca_api_leaf_measures_daily", "call_date"),
        ("dau", "dau", "rca_game_leaf_measures_daily", "event_date"),
        ("sessions", "sessions", "rca_game_leaf_measures_daily", "event_date"),
        ("purchasers", "purchasers", "rca_game_leaf_measures_daily", "event_date"),
    ]
    for kpi, measure, table, day in checks:
        sums = con.sql(
            f"select leaves.{day} as kpi_date, sum(leaves.{measure}) as leaves, "
            f"max(kpi.{column}) as kpi from {table} as leaves inner join kpi_daily as kpi "
            f"on kpi.kpi_date = leaves.{day} and kpi.kpi_name = '{kpi}' "
            f"and kpi.dimension_name = 'all' where leaves.value_basis = '{basis}' group by 1"
        ).df()
        assert len(sums) > 20, kpi
        assert np.allclose(sums["leaves"], sums["kpi"]), kpi


def test_every_verdict_row_gets_its_causes(con) -> None:
    missing = con.sql(
        "select count(*) from kpi_verdicts_daily as v where not exists (select 1 from "
        "kpi_root_causes as c where c.kpi_name = v.kpi_name and c.dimension_name = "
        "v.dimension_name and c.dimension_value = v.dimension_value and c.kpi_date = v.kpi_date "
        "and c.cause_rank = 1)"
    ).fetchall()[0][0]
    assert missing == 0
    causes = con.sql("select * from kpi_root_causes").df()
    assert len(causes) > 0
    assert causes["sentence"].str.len().min() > 20
    ratio = causes[causes["effect"].isin(["rate", "mix"])]
    assert ratio["rate_share"].notna().all() and ratio["mix_share"].notna().all()
    assert np.allclose(ratio["rate_share"] + ratio["mix_share"], ratio["explained_share"])
    # a slice row's causes all carry the slice's own condition
    sliced = causes[causes["dimension_name"] != "all"]
    condition = sliced["dimension_name"] + "=" + sliced["dimension_value"]
    assert all(c in r.split("&") for c, r in zip(condition, sliced["root_cause"], strict=True))
    broad = causes[causes["is_broad"]]
    assert (broad["root_cause"] == "all").all() and (broad["dimension_name"] == "all").all()


def test_causes_do_not_depend_on_the_order_the_leaves_are_stored_in(con) -> None:
    """Two builds of the same data store the leaf tables in different row orders (parallel
    writes); the causes must be the same. Seen at 1 M rows per log: one slice-day's second and
    third causes swapped, with other scores, between a full build and an incremental one."""
    verdicts = con.sql(
        "select kpi_name, dimension_name, dimension_value, verdict, kpi_date "
        "from kpi_verdicts_daily order by all"
    ).df()
    leaves = {
        "api_calls": con.sql("select * from rca_api_leaves_daily").df(),
        "game_events": con.sql("select * from rca_game_leaves_daily").df(),
    }
    stored = root_causes(verdicts, leaves, 3)
    assert len(stored) > 0
    for seed in (1, 2, 3):
        shuffled = {name: frame.sample(frac=1, random_state=seed) for name, frame in leaves.items()}
        pd.testing.assert_frame_equal(root_causes(verdicts, shuffled, 3), stored, obj=str(seed))


def test_evaluation_is_consistent(con) -> None:
    """On the small data few verdict rows touch an incident (3 weeks of history first): the
    metrics must then be empty, and otherwise agree with the evaluation rows (decidable rows
    scored, the rest counted apart)."""
    evaluation = con.sql("select * from rca_evaluation").df()
    metrics = con.sql("select * from rca_metrics").df()
    if evaluation.empty:
        assert metrics.empty
        return
    assert (evaluation["is_top3_hit"] | ~evaluation["is_top1_hit"]).all()
    for scope, has_slice in (("slice", True), ("dataset_wide", False)):
        rows = evaluation[evaluation["has_slice"] == has_slice]
        overall = metrics[(metrics["dataset"] == "all") & (metrics["incident_scope"] == scope)]
        assert len(overall) == (1 if len(rows) else 0)
        if len(rows):
            first = overall.iloc[0]
            decidable = rows[rows["is_decidable"]]
            # incidents with a decidable row are scored, the others counted apart
            assert int(first["incidents_evaluated"]) == decidable["incident_id"].nunique()
            assert (
                int(first["incidents_evaluated"]) + int(first["incidents_undecidable"])
                == rows["incident_id"].nunique()
            )
            assert int(first["rows_evaluated"]) == len(decidable)
            assert int(first["rows_undecidable"]) == len(rows) - len(decidable)


def test_leaf_expectations_use_only_the_past_and_count_quiet_days() -> None:
    rng = np.random.default_rng(0)
    days = pd.date_range("2026-01-01", periods=70, freq="D")
    rows = []
    for leaf in ("a", "b", "c"):
        rate = {"a": 20.0, "b": 5.0, "c": 0.4}[leaf]
        for day in days:
            count = rng.poisson(rate)
            if count:
                rows.append({"day": day.date(), "leaf": leaf, "n": float(count)})
    frame = pd.DataFrame(rows)
    base = leaf_expectations(frame, "day", ["leaf"], ["n"], weeks=8, min_weeks=3)
    changed = frame.copy()
    changed.loc[pd.to_datetime(changed["day"]) >= pd.Timestamp("2026-03-01"), "n"] *= 10
    after = leaf_expectations(changed, "day", ["leaf"], ["n"], weeks=8, min_weeks=3)
    key = ["leaf", "day"]
    merged = base.merge(after, on=key, suffixes=("", "_after"))
    early = pd.to_datetime(merged["day"]) <= pd.Timestamp("2026-03-01")
    assert np.allclose(
        merged.loc[early, "expected_n"].fillna(-1), merged.loc[early, "expected_n_after"].fillna(-1)
    )
    # no expectation before 3 weeks of history; the quiet leaf is expected below 1 a day
    assert (
        base.loc[pd.to_datetime(base["day"]) < pd.Timestamp("2026-01-22"), "expected_n"]
        .isna()
        .all()
    )
    late = base[pd.to_datetime(base["day"]) >= pd.Timestamp("2026-02-15")]
    by_leaf = late.groupby("leaf")["expected_n"].mean()
    assert 15 < by_leaf["a"] < 25 and 3 < by_leaf["b"] < 7 and by_leaf["c"] < 1


def test_a_release_is_named_with_its_api_and_nothing_else_is_added() -> None:
    """A cause on a release (api_version=v2.0.1, liveness_check's only) is named with its API;
    a slow region of an API whose calls all ran one release that day is not named a problem of
    that release, nor is any other value its leaves happen to share added."""
    frame = pd.DataFrame(
        [
            ("liveness_check", "v2.0", "eu-west", "web"),
            ("liveness_check", "v2.0.1", "eu-west", "web"),
            ("liveness_check", "v2.0.1", "us-east", "web"),
            ("face_match", "v4.0", "eu-west", "ios"),
            ("face_match", "v4.0", "us-east", "ios"),
            ("ocr", "v4.0", "eu-west", "ios"),
        ],
        columns=["api_name", "api_version", "region", "client_type"],
    )
    cube = build_cube(frame, list(frame.columns))

    def cause(**elements):
        return RootCause(1, dict(elements), 1.0, 1.0, 1.0, 1.0, 1.0)

    result = Localization(
        [cause(api_version="v2.0.1"), cause(api_name="face_match", region="eu-west")],
        1.0,
        1.0,
        1.0,
        cube.n_leaves,
        cube.dimensions,
    )
    _close(cube, result)
    assert [c.label for c in result.causes] == [
        "api_name=liveness_check&api_version=v2.0.1",
        "api_name=face_match&region=eu-west",
    ]


def test_a_slice_too_sparse_to_look_inside_says_so_not_that_it_moved_whole() -> None:
    """Revenue of a country whose every platform expected under MIN_EVENTS purchases cannot be
    localised inside it (no slice could be tested): 'too_few_events', not 'moved as a whole';
    a country with enough purchases whose every platform rose alike did move as a whole."""
    rng = np.random.default_rng(3)
    rows = []
    for country, expected_purchases, factor in (("IN", 0.5, 40.0), ("BR", 40.0, 2.0)):
        for platform in ("android", "ios", "web"):
            for channel in ("organic", "paid_search"):
                purchases = rng.poisson(expected_purchases * factor)
                rows.append(
                    {
                        "platform": platform,
                        "country": country,
                        "acquisition_channel": channel,
                        "install_week": "0",
                        "purchases": float(purchases),
                        "expected_purchases": expected_purchases,
                        "revenue_usd": 3.0 * purchases,
                        "expected_revenue_usd": 3.0 * expected_purchases,
                        "event_date": pd.Timestamp("2026-08-05"),
                    }
                )
    verdicts = pd.DataFrame(
        {
            "kpi_name": "revenue_usd",
            "dimension_name": "country",
            "dimension_value": ["IN", "BR"],
            "verdict": "data_incident",
            "kpi_date": pd.Timestamp("2026-08-05"),
        }
    )
    causes = root_causes(verdicts, {"game_events": pd.DataFrame(rows)})
    first = causes[causes["cause_rank"] == 1].set_index("dimension_value")
    assert first.loc["IN", "effect"] == "too_few_events"
    assert first.loc["IN", "root_cause"] == "country=IN"
    assert "cannot be localised" in first.loc["IN", "sentence"]
    assert first.loc["BR", "effect"] == "whole_slice"


@pytest.mark.slow
def test_root_cause_targets_on_the_default_data(tmp_path) -> None:
    """Issue 10's targets on the data `make run` builds (seed 42, default size, ~5 min): every
    labelled incident with a slice named first on at least half of its decidable rows, top-1
    >= 0.9 and top-3 >= 0.97, and every dataset-wide one called broad (rca_metrics). Other
    seeds are printed by test_anomaly_seeds.py and reported in docs/root-cause.md (seed 101
    misses two API incidents)."""
    from conftest import dbt_env, run_dbt
    from kpi_trust.generator import GeneratorConfig, generate

    raw_dir = tmp_path / "raw"
    generate(GeneratorConfig(seed=42), raw_dir)
    env = dbt_env(tmp_path, seed_dir=raw_dir, KPI_TRUST_GX_DATA_DOCS="0")
    run_dbt(["build", "--select", "+rca_metrics", "--indirect-selection", "cautious"], env)
    with duckdb.connect(str(tmp_path / "kpi.duckdb"), read_only=True) as connection:
        overall = (
            connection.sql("select * from rca_metrics where dataset = 'all'")
            .df()
            .set_index("incident_scope")
        )
    print(overall.to_string())
    sliced = overall.loc["slice"]
    assert sliced["incidents_evaluated"] >= 10
    assert sliced["top1_accuracy"] >= 0.9 and sliced["top3_accuracy"] >= 0.97
    assert overall.loc["dataset_wide", "top1_accuracy"] >= 0.9
