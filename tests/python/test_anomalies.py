"""kpi_anomalies_daily and kpi_verdicts_daily on a small warehouse built with dbt.

One module-scoped build (60 days, so series get past the 20 days of history the detectors need),
of the anomaly models and everything upstream of them. Checks: a row per kpi_daily series x day
x value basis; no look-ahead in the warehouse model (its `model()` re-run on kpi_daily cut at a
day gives every earlier row unchanged); short series are insufficient_history; and the verdicts
against the generator's labelled incidents, whose numbers are printed (run with -s) and only
loosely asserted: the detectors see a labelled incident only when it moves a series beyond its
band, on enough history, and the small dataset has ~20 incidents.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, dbt_env, generate_raw, run_dbt

CONFIG = {"days": 60, "api_calls_per_day": 300, "players": 3000}
MODEL_FILE = PROJECT / "models" / "anomalies" / "kpi_anomalies_daily.py"
VARS = {
    "anomaly_consensus": "1",
    "anomaly_min_history": "20",
    "anomaly_z_threshold": "3.0",
    "anomaly_cusum_h": "5.0",
    "anomaly_season_days": "7",
    "anomaly_ml_scope": "totals",
}
KEYS = ["kpi_name", "dimension_name", "dimension_value"]
COMPARED = [
    "status",
    "is_anomaly",
    "expected",
    "lower",
    "upper",
    "score",
    "z",
    "detectors_agreeing",
    *[
        f"{kind}_{d}"
        for kind in ("score", "flag")
        for d in ("seasonal", "changepoint", "iforest", "lof")
    ],
    *[f"alarm_consensus_{level}" for level in (1, 2, 3)],
    "is_sampling_noise",
]
# What the verdict should be for a labelled incident's rows.
EXPECTED_VERDICT = {
    ("data_quality", False): "data_incident",
    ("data_quality", True): "repaired_incident",
    ("business", False): "real_movement",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("anomalies")
    raw_dir = generate_raw(work / "raw", **CONFIG)
    env = dbt_env(work, seed_dir=raw_dir, KPI_TRUST_GX_DATA_DOCS="0")
    selected = ["+kpi_verdicts_daily", "kpi_seasonal_baselines_daily"]
    run_dbt(["build", "--select", *selected, "--indirect-selection", "cautious"], env)
    return work / "kpi.duckdb", raw_dir


def query(db_path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        frame = connection.sql(sql).df()
    if "kpi_date" in frame:
        frame["kpi_date"] = pd.to_datetime(frame["kpi_date"])
    return frame


class FakeDbt:
    """The part of dbt's Python-model API kpi_anomalies_daily uses: config.get and ref."""

    def __init__(self, kpis: pd.DataFrame) -> None:
        self.kpis = kpis
        self.config = self

    def get(self, name: str) -> str:
        return VARS[name]

    def ref(self, name: str):
        assert name == "kpi_daily"
        return duckdb.from_df(self.kpis)


def run_model(kpis: pd.DataFrame) -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location("kpi_anomalies_daily", MODEL_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scored = module.model(FakeDbt(kpis), None)
    return scored.assign(kpi_date=pd.to_datetime(scored["kpi_date"]))


def sample_series(kpis: pd.DataFrame) -> pd.DataFrame:
    """Every total (scored with the ML detectors) and a few slices of each dimension."""
    slices = kpis[["dimension_name", "dimension_value"]].drop_duplicates()
    picked = slices.groupby("dimension_name").head(2)
    chosen = kpis.merge(picked, on=["dimension_name", "dimension_value"])
    return chosen[
        chosen["kpi_name"].isin(
            ["api_calls", "api_p95_latency_ms", "dau", "revenue_usd", "d1_retention"]
        )
    ]


def assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    keys = [*KEYS, "value_basis", "kpi_date"]
    merged = left.merge(right, on=keys, suffixes=("_l", "_r"), validate="one_to_one")
    assert len(merged) == len(left) == len(right)
    for column in COMPARED:
        a, b = merged[f"{column}_l"], merged[f"{column}_r"]
        same = (a == b) | (a.isna() & b.isna())
        assert same.all(), (
            f"{column} differs on {merged.loc[~same, keys].head().to_dict('records')}"
        )


def test_a_row_per_series_day_and_basis(warehouse):
    db_path, _ = warehouse
    counts = query(
        db_path,
        """
        select
            (select count(*) from kpi_daily) as kpi_rows,
            (select count(*) from kpi_anomalies_daily) as anomaly_rows,
            (select count(*) from kpi_daily
             cross join (values ('adjusted'), ('reported')) as bases (value_basis)
             anti join kpi_anomalies_daily using
                (kpi_name, dimension_name, dimension_value, kpi_date, value_basis)) as missing
        """,
    ).iloc[0]
    assert counts["anomaly_rows"] == 2 * counts["kpi_rows"] > 0
    assert counts["missing"] == 0


def test_the_table_is_the_model_and_has_no_look_ahead(warehouse):
    db_path, _ = warehouse
    kpis = sample_series(query(db_path, "select * from kpi_daily"))
    built = query(db_path, "select * from kpi_anomalies_daily").merge(
        kpis[[*KEYS, "kpi_date"]], on=[*KEYS, "kpi_date"]
    )
    full = run_model(kpis)
    assert_same(full, built)
    assert (full["n_detectors"] == 4).any() and (full["n_detectors"] == 2).any()
    for cut in sorted(kpis["kpi_date"].unique())[-12::4]:
        earlier = run_model(kpis[kpis["kpi_date"] < cut])
        assert_same(earlier, full[full["kpi_date"] < cut])


def test_short_series_are_insufficient_history(warehouse):
    db_path, _ = warehouse
    first_days = query(
        db_path,
        """
        select status, count(*) as n_rows
        from kpi_anomalies_daily
        where kpi_date < (select min(kpi_date) from kpi_daily) + interval 20 day
        group by status
        """,
    )
    assert set(first_days["status"]) <= {"insufficient_history", "missing_value"}
    kpis = sample_series(query(db_path, "select * from kpi_daily"))
    short = run_model(kpis[kpis["kpi_date"] < kpis["kpi_date"].min() + pd.Timedelta(days=15)])
    assert len(short) > 0
    assert set(short["status"]) <= {"insufficient_history", "missing_value"}
    assert not short["is_anomaly"].any()


def test_sql_baseline_matches_the_python_seasonal_expectation(warehouse):
    db_path, _ = warehouse
    compared = query(
        db_path,
        """
        select count(*) as n_rows,
            count(*) filter (
                where abs(anomalies.expected - baselines.expected)
                <= 1e-9 * greatest(1, abs(baselines.expected))
            ) as n_same
        from kpi_anomalies_daily as anomalies
        inner join kpi_seasonal_baselines_daily as baselines
            using (kpi_name, dimension_name, dimension_value, kpi_date)
        where anomalies.value_basis = 'adjusted' and anomalies.baseline = 'seasonal'
        """,
    ).iloc[0]
    assert compared["n_rows"] > 0
    assert compared["n_same"] == compared["n_rows"]


def labelled_rows(raw_dir: Path, kpis: pd.DataFrame, any_slice: bool = False) -> pd.DataFrame:
    """kpi_daily rows a labelled incident covers (its day, its KPI, its slice, the slice of a pair
    of its root-cause set or a total), as in trust_kpi_incident_labels; d1_retention of day d
    is also covered by day d + 1. With `any_slice`, every slice of the KPI that day (siblings
    and other dimensions: 'indirect')."""
    incidents = pd.read_csv(raw_dir / "injected_incidents.csv")
    rows = []
    for incident in incidents.itertuples():
        start = pd.Timestamp(incident.start_at).normalize()
        end = pd.Timestamp(incident.end_at)
        for kpi_name in incident.affected_kpis.split("|"):
            days = pd.date_range(start, end - pd.Timedelta(seconds=1), freq="D")
            if kpi_name == "d1_retention":
                days = days.union(days - pd.Timedelta(days=1))
            covers = (kpis["kpi_name"] == kpi_name) & kpis["kpi_date"].isin(days)
            if incident.slice_dimension != "all" and not any_slice:
                # the labelled slice and the slice of each pair of its root-cause set
                root = getattr(incident, "root_cause", None)
                pairs = set(root.replace(";", "&").split("&")) if isinstance(root, str) else set()
                pair = kpis["dimension_name"] + "=" + kpis["dimension_value"]
                covers &= (
                    (kpis["dimension_name"] == "all")
                    | (
                        (kpis["dimension_name"] == incident.slice_dimension)
                        & (kpis["dimension_value"] == incident.slice_value)
                    )
                    | pair.isin(pairs)
                )
            repairable = str(incident.is_repairable).lower() == "true"
            expected = EXPECTED_VERDICT[
                (incident.category, repairable and incident.category == "data_quality")
            ]
            hit = kpis.loc[covers, [*KEYS, "kpi_date"]].assign(
                incident_id=incident.incident_id, expected_verdict=expected
            )
            rows.append(hit)
    return pd.concat(rows, ignore_index=True)


def test_verdicts_against_labelled_incidents(warehouse):
    db_path, raw_dir = warehouse
    kpis = query(
        db_path, "select kpi_name, dimension_name, dimension_value, kpi_date from kpi_daily"
    )
    labels = labelled_rows(raw_dir, kpis)
    verdicts = query(db_path, "select * from kpi_verdicts_daily")
    matched = verdicts.merge(labels, on=[*KEYS, "kpi_date"])
    # One label per verdict row: a row two incidents touch is judged against each.
    agreement = (
        (matched["verdict"] == matched["expected_verdict"])
        .groupby(matched["expected_verdict"])
        .agg(["mean", "size"])
    )
    incidents_seen = matched["incident_id"].nunique()
    n_incidents = labels["incident_id"].nunique()
    unlabelled = verdicts.merge(
        labels[[*KEYS, "kpi_date"]].drop_duplicates(),
        how="left",
        on=[*KEYS, "kpi_date"],
        indicator=True,
    )
    unlabelled = unlabelled[unlabelled["_merge"] == "left_only"].drop(columns="_merge")
    # Of those, rows of a KPI an incident touches that day in another slice (partly affected:
    # trust_evaluation's 'indirect' and 'sibling' rows) and rows of quiet KPI-days.
    touched = labelled_rows(raw_dir, kpis, any_slice=True)[[*KEYS, "kpi_date"]]
    unlabelled = unlabelled.merge(
        touched.drop_duplicates().assign(relation="other slice of an incident"),
        how="left",
        on=[*KEYS, "kpi_date"],
    ).fillna({"relation": "no incident on the KPI that day"})
    n_labelled = len(matched[[*KEYS, "kpi_date"]].drop_duplicates())
    print(f"\nverdict rows: {len(verdicts)}; on labelled incident rows: {n_labelled}")
    print(f"incidents with an alarm on a covered row: {incidents_seen} of {n_incidents}")
    print("agreement with the expected verdict, by expected verdict:")
    print(agreement.to_string())
    print("verdicts on rows no incident covers:")
    print(pd.crosstab(unlabelled["relation"], unlabelled["verdict"]).to_string())
    print("confusion (expected x verdict):")
    print(pd.crosstab(matched["expected_verdict"], matched["verdict"]).to_string())
    assert incidents_seen >= 1
    overall = (matched["verdict"] == matched["expected_verdict"]).mean()
    print(f"overall agreement: {overall:.2f} on {len(matched)} (row, incident) pairs")
    # Loose on purpose (see the module docstring): better than a coin toss among four verdicts.
    assert overall > 0.25


def test_a_rate_move_within_its_sampling_noise_is_not_an_alarm():
    """The binomial gate (kpi_anomalies_daily.sampling_noise_p), on a sparse-event rate made
    here: ~100 calls a day, a timeout rate of 0.4 % (0 timeouts on most days). Two timeouts of
    60 calls (3.3 %, far off the series' median of 0) is within sampling noise; 20 of 100 is not;
    the pooled rate uses only earlier days; a rate never seen is not taken as 0; fractional
    counts are not gated."""
    spec = importlib.util.spec_from_file_location("kpi_anomalies_daily", MODEL_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(3)
    days = pd.date_range("2026-07-01", periods=70, freq="D")
    calls = rng.integers(90, 110, len(days)).astype(float)
    timeouts = rng.binomial(calls.astype(int), 0.004).astype(float)
    calls[60], timeouts[60] = 60, 2
    calls[65], timeouts[65] = 100, 20
    rows = pd.DataFrame({"kpi_date": days, "numerator": timeouts, "denominator": calls})
    p_value = module.sampling_noise_p(rows, "numerator", "denominator", 56)
    from kpi_trust.anomaly import DetectConfig

    level = DetectConfig(z_threshold=3.0).alpha
    assert np.isnan(p_value[0])  # no past day
    assert p_value[60] > level
    assert p_value[65] < 1e-6
    later = rows.copy()
    later.loc[66:, "numerator"] = later.loc[66:, "denominator"]  # the future cannot matter
    assert module.sampling_noise_p(later, "numerator", "denominator", 56)[65] == p_value[65]
    rows.loc[60, "numerator"] = 2.5
    assert np.isnan(module.sampling_noise_p(rows, "numerator", "denominator", 56)[60])
    # a slice that never timed out in its 56 past days (~15 calls a day): one timeout of 13 is
    # not impossible (the pooled rate is the Jeffreys (k + 1/2) / (n + 1), not 0); 8 of 13 is
    # an alarm
    small = pd.DataFrame({"kpi_date": days, "numerator": 0.0, "denominator": 15.0})
    small.loc[60, ["numerator", "denominator"]] = [1.0, 13.0]
    small.loc[65, ["numerator", "denominator"]] = [8.0, 13.0]
    p_small = module.sampling_noise_p(small, "numerator", "denominator", 56)
    assert p_small[60] > level
    assert p_small[65] < 1e-6
