"""The trust score on corruptions it was not built from (tests/python/corruptions.py).

Clean generated logs (no generator incidents) are corrupted by independent pandas code, each
corruption on its own (dataset, day) after a 28-day clean warm-up (the evidence's trailing
baselines span 2-8 weeks), and built ONCE through the files path with no labels, the way a user
brings their own logs. Then, per corruption: the corrupted KPI rows are flagged (or, when the
warehouse can repair them, only their reported value is), the healthy sibling slices of the same
day stay high; and every untouched day stays high.

Volumes: 42 days, 400,000 players (~76k game events and ~900 purchases a day, ~280 of them in
the largest country) and 600 API calls a day. The binding constraint is the 40 % purchase loss
in one country: z = 0.4 * sqrt(280) ~ 6.7 (detectable: cx.DETECTABLE_Z = 6.4, the fail
threshold with 95 % power) needs ~260 purchases a day there. On the API side the
only volume-bound corruption is the evening clock shift (z = 0.29 * sqrt(600) ~ 7; 190 calls a
day would do); every other corruption is a defect a clean log cannot produce (see each
corruption's docstring). `test_corruption_is_detectable_at_this_volume` checks that before the
warehouse is asked anything. One files-mode build takes ~2 min 15 s on 2 shared cores (the
module ~2.5 min), so the module is not marked slow.

Schedule (offsets from 2026-07-01; game and API corruptions on different days, a clean day
between two corruptions of the same dataset):

    game: 28 truncated at noon, 31-32 purchases lost in the largest country,
          35 negative revenues, 38 replayed batches
    api:  29 clock +7 h (moves calls to 30), 33 calls dated 2030, 36 status casing (face_match),
          39 null latency (document_ocr)
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import corruptions as cx
import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import dbt_env, run_dbt

SEED = 11
START = date(2026, 7, 1)
DAYS = 42
PLAYERS = 400_000
API_CALLS_PER_DAY = 600
LOW = 70.0
HIGH = 90.0
MAX_WRONGLY_LOW_SIBLINGS = 0.02
MIN_HIGH_ON_CLEAN_DAYS = 0.98
REPAIR_WORDS = re.compile(r"dedup|duplicat|replay|repeat|repair", re.IGNORECASE)
TRUST_COLUMNS = (
    "kpi_name",
    "dataset",
    "dimension_name",
    "dimension_value",
    "kpi_date",
    "value",
    "value_reported",
    "trust_score",
    "trust_level",
    "reported_trust_score",
    "reported_trust_level",
    "top_reasons",
)


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


CORRUPTIONS = {
    "game_day_truncated_at_noon": partial(cx.truncate_game_day_at_noon, day=_day(28)),
    "purchases_lost_in_largest_country": partial(
        cx.lose_purchases_in_largest_country, days=(_day(31), _day(32))
    ),
    "negative_revenue_in_two_countries": partial(
        cx.negative_revenue_in_two_countries, day=_day(35)
    ),
    "game_batches_replayed": partial(cx.replay_game_batches, day=_day(38)),
    "api_clock_shift_across_midnight": partial(
        cx.shift_evening_api_batches_past_midnight, day=_day(29)
    ),
    "api_calls_dated_2030": partial(cx.date_api_calls_in_2030, day=_day(33)),
    "api_status_upper_cased_in_one_api": partial(
        cx.upper_case_status_of_one_api, day=_day(36), api_name="face_match"
    ),
    "null_latency_in_one_api": partial(
        cx.null_latency_in_one_api, day=_day(39), api_name="document_ocr"
    ),
}
NAMES = tuple(CORRUPTIONS)


@dataclass(frozen=True)
class CorruptedRaw:
    raw_dir: Path
    expectations: dict[str, cx.Expectation]


@pytest.fixture(scope="module")
def corrupted_raw(tmp_path_factory: pytest.TempPathFactory) -> CorruptedRaw:
    """Clean generated Parquet logs with every corruption applied, written to a raw dir."""
    from kpi_trust.generator import GeneratorConfig, generate

    work = tmp_path_factory.mktemp("corruption_raw")
    clean_dir = work / "clean"
    config = GeneratorConfig(
        seed=SEED,
        days=DAYS,
        api_calls_per_day=API_CALLS_PER_DAY,
        players=PLAYERS,
        fmt="parquet",
        incidents=False,
    )
    generate(config, clean_dir)
    api_calls = pd.read_parquet(clean_dir / "api_calls.parquet")
    game_events = pd.read_parquet(clean_dir / "game_events.parquet")
    expectations = {}
    for index, (name, corrupt) in enumerate(CORRUPTIONS.items()):
        rng = np.random.default_rng([SEED, index])
        api_calls, game_events, expectation = corrupt(api_calls, game_events, rng)
        assert expectation.name == name
        expectations[name] = expectation
    raw_dir = work / "raw"  # only the two logs: no labels, as with a user's own files
    raw_dir.mkdir()
    api_calls.to_parquet(raw_dir / "api_calls.parquet", index=False)
    game_events.to_parquet(raw_dir / "game_events.parquet", index=False)
    return CorruptedRaw(raw_dir=raw_dir, expectations=expectations)


@pytest.fixture(scope="module")
def trust(corrupted_raw: CorruptedRaw, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """`kpi_trust_daily` of ONE files-mode build of the corrupted logs, without labels."""
    work = tmp_path_factory.mktemp("corruption_build")
    empty_seeds = work / "no_seeds"
    empty_seeds.mkdir()
    env = dbt_env(
        work,
        seed_dir=empty_seeds,
        KPI_TRUST_RAW_SOURCE="files",
        KPI_TRUST_RAW_FORMAT="parquet",
        KPI_TRUST_RAW_DIR=str(corrupted_raw.raw_dir),
        KPI_TRUST_LABELS="none",
        KPI_TRUST_GX_DATA_DOCS="0",
    )
    started = time.monotonic()
    run_dbt(["build"], env)
    print(f"\ncorruption suite: dbt build took {time.monotonic() - started:.0f} s ({work})")
    with duckdb.connect(str(work / "kpi.duckdb"), read_only=True) as con:
        frame = con.sql("select * from kpi_trust_daily").df()
    frame["kpi_date"] = pd.to_datetime(frame["kpi_date"]).dt.date
    return frame


def _require(trust: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in trust.columns]
    if missing:
        pytest.fail(
            f"kpi_trust_daily lacks column(s) {', '.join(missing)} "
            f"(has: {', '.join(trust.columns)})"
        )


def _rows(
    trust: pd.DataFrame,
    dataset: str,
    days: tuple[date, ...],
    slices: tuple[cx.Slice, ...],
    kpis: tuple[str, ...],
) -> pd.DataFrame:
    keys = pd.Series(list(zip(trust["dimension_name"], trust["dimension_value"], strict=True)))
    return trust[
        (trust["dataset"] == dataset)
        & trust["kpi_date"].isin(days)
        & trust["kpi_name"].isin(kpis)
        & keys.isin(slices).to_numpy()
    ]


def _describe(rows: pd.DataFrame, limit: int = 25) -> str:
    """One line per row: KPI, day, slice, both scores and levels, the reasons."""
    lines = []
    for row in (
        rows.sort_values(["kpi_date", "dimension_name", "dimension_value", "kpi_name"])
        .head(limit)
        .itertuples()
    ):
        reported = ""
        if hasattr(row, "reported_trust_score"):
            reported = (
                f", reported_trust_score={row.reported_trust_score:.1f} "
                f"({row.reported_trust_level}), reported_reasons="
                f"{getattr(row, 'reported_reasons', '(no column)')!r}"
            )
        lines.append(
            f"  {row.kpi_name} on {row.kpi_date} [{row.dimension_name}={row.dimension_value}]: "
            f"value={row.value} (reported {row.value_reported}), "
            f"trust_score={row.trust_score:.1f} ({row.trust_level}){reported}, "
            f"top_reasons={row.top_reasons!r}"
        )
    if len(rows) > limit:
        lines.append(f"  ... and {len(rows) - limit} more")
    return "\n".join(lines)


def _touched(expectations: dict[str, cx.Expectation]) -> set[tuple[str, date]]:
    return {(e.dataset, day) for e in expectations.values() for day in e.touched_days}


@pytest.mark.parametrize("name", NAMES)
def test_corruption_is_detectable_at_this_volume(corrupted_raw: CorruptedRaw, name: str) -> None:
    """The chosen volume makes every flagged slice statistically detectable."""
    expectation = corrupted_raw.expectations[name]
    for dimension_name, dimension_value in expectation.slices:
        key = f"{dimension_name}={dimension_value}"
        scores = {k: z for k, z in expectation.z.items() if k == key or k.startswith(f"{key}@")}
        assert scores, f"{name}: no detectability computed for {key}"
        weak = {k: round(z, 2) for k, z in scores.items() if z < cx.DETECTABLE_Z}
        assert not weak, (
            f"{name}: {key} not detectable at this volume (z < {cx.DETECTABLE_Z}): {weak}"
        )


@pytest.mark.parametrize("name", NAMES)
def test_corruption_is_flagged(trust: pd.DataFrame, corrupted_raw: CorruptedRaw, name: str) -> None:
    """Unrepairable: both scores low. Repairable: reported score low, trust score high."""
    _require(trust, TRUST_COLUMNS)
    expectation = corrupted_raw.expectations[name]
    rows = _rows(trust, expectation.dataset, expectation.days, expectation.slices, expectation.kpis)
    expected = len(expectation.days) * len(expectation.slices) * len(expectation.kpis)
    assert len(rows) == expected, (
        f"{name}: {len(rows)} of {expected} expected kpi_trust_daily rows exist "
        f"(days {expectation.days}, slices {expectation.slices}, KPIs {expectation.kpis})"
    )
    if expectation.repairable:
        wrong = rows[(rows["reported_trust_score"] >= LOW) | (rows["trust_score"] < HIGH)]
        rule = f"reported_trust_score < {LOW} and trust_score >= {HIGH} (repairable)"
    else:
        wrong = rows[(rows["trust_score"] >= LOW) | (rows["reported_trust_score"] >= LOW)]
        rule = f"trust_score < {LOW} and reported_trust_score < {LOW} (unrepairable)"
    assert wrong.empty, (
        f"{name} ({expectation.description}): {len(wrong)} of {len(rows)} rows break "
        f"{rule}:\n{_describe(wrong)}"
    )


@pytest.mark.parametrize("name", NAMES)
def test_sibling_slices_stay_high(
    trust: pd.DataFrame, corrupted_raw: CorruptedRaw, name: str
) -> None:
    """Healthy siblings of a corrupted slice, same days: at most 2 % not high."""
    expectation = corrupted_raw.expectations[name]
    if not expectation.sibling_slices:
        pytest.skip(f"{name} names no sibling slice")
    columns = ("trust_score", "trust_level")
    if expectation.repairable:
        columns += ("reported_trust_score", "reported_trust_level")
    _require(trust, columns)
    rows = _rows(
        trust,
        expectation.dataset,
        expectation.days,
        expectation.sibling_slices,
        expectation.sibling_kpis,
    )
    assert len(rows) > 0, f"{name}: no sibling rows found"
    level_columns = [column for column in columns if column.endswith("_level")]
    not_high = rows[
        rows[level_columns].isin(["medium", "low"]).any(axis=1)
    ]  # insufficient_data is allowed
    share = len(not_high) / len(rows)
    assert share <= MAX_WRONGLY_LOW_SIBLINGS, (
        f"{name}: {len(not_high)} of {len(rows)} healthy sibling rows ({share:.1%}) are not "
        f"high on {', '.join(level_columns)} (allowed {MAX_WRONGLY_LOW_SIBLINGS:.0%}):\n"
        f"{_describe(not_high)}"
    )


@pytest.mark.parametrize("level_column", ["trust_level", "reported_trust_level"])
def test_untouched_days_stay_high(
    trust: pd.DataFrame, corrupted_raw: CorruptedRaw, level_column: str
) -> None:
    """Every (dataset, day) no corruption touched: >= 98 % of its KPI rows high.

    `insufficient_data` is allowed (counted and printed); d1_retention of the day before a
    touched game day is excluded (it is computed from the touched day's activity), and so are
    KPI days outside the generated period (a corruption's artefact, see
    `test_no_kpi_day_outside_the_log_period`).
    """
    _require(trust, ("trust_score", level_column))
    touched = _touched(corrupted_raw.expectations)
    keys = pd.Series(list(zip(trust["dataset"], trust["kpi_date"], strict=True)))
    retention_touched = pd.Series(
        list(zip(trust["dataset"], trust["kpi_date"] + timedelta(days=1), strict=True))
    ).isin(touched)
    is_retention = (trust["kpi_name"] == "d1_retention").to_numpy()
    in_period = trust["kpi_date"].between(START, _day(DAYS - 1)).to_numpy()
    untouched = trust[
        in_period & ~keys.isin(touched).to_numpy() & ~(is_retention & retention_touched)
    ]
    levels = untouched[level_column].value_counts()
    insufficient = int(levels.get("insufficient_data", 0))
    high = int(levels.get("high", 0))
    print(
        f"\n{level_column} on untouched days: {len(untouched)} rows, {high} high, "
        f"{insufficient} insufficient_data, {dict(levels)}"
    )
    share = (high + insufficient) / len(untouched)
    not_high = untouched[~untouched[level_column].isin(["high", "insufficient_data"])]
    assert share >= MIN_HIGH_ON_CLEAN_DAYS, (
        f"{len(not_high)} of {len(untouched)} untouched KPI rows ({1 - share:.1%}) are not high "
        f"on {level_column} ({insufficient} insufficient_data counted as allowed):\n"
        f"{_describe(not_high)}"
    )


def test_no_kpi_day_outside_the_log_period(trust: pd.DataFrame) -> None:
    """Calls dated 2030 must not create a KPI day: every kpi_date is inside the generated days."""
    last = _day(DAYS - 1)
    outside = trust[(trust["kpi_date"] < START) | (trust["kpi_date"] > last)]
    days = sorted(outside["kpi_date"].unique())
    assert not days, (
        f"{len(days)} KPI day(s) outside {START}..{last}: {days[:10]} "
        f"({len(outside)} kpi_trust_daily rows):\n{_describe(outside, limit=5)}"
    )


def test_replay_repair_is_explained(trust: pd.DataFrame, corrupted_raw: CorruptedRaw) -> None:
    """The replayed day's repaired KPIs say why their reported value is not trusted."""
    expectation = corrupted_raw.expectations["game_batches_replayed"]
    reason_column = "reported_reasons" if "reported_reasons" in trust.columns else "top_reasons"
    rows = _rows(trust, expectation.dataset, expectation.days, (cx.ALL,), expectation.kpis)
    assert len(rows) == len(expectation.kpis), f"missing rows: {rows['kpi_name'].tolist()}"
    silent = rows[~rows[reason_column].fillna("").str.contains(REPAIR_WORDS)]
    assert silent.empty, (
        f"{reason_column} does not mention the deduplication on {expectation.days[0]}:\n"
        f"{_describe(silent)}"
    )
