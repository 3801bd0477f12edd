"""Corruptions of clean raw logs, written independently of the generator's incident code.

Each function takes the two raw logs as pandas DataFrames (the columns documented in the
the raw schemas of docs/raw-schemas.md, nothing else) and a numpy Generator, and returns the
corrupted logs plus an `Expectation`: which KPI rows the warehouse must flag, whether it can
repair them, and which sibling rows must stay high. Nothing here imports `kpi_trust`: the point
is to test the trust score on failures the generator's authors did not write.

Every function is pure (inputs are copied, never modified) and takes its day(s) as keyword
arguments; `tests/python/test_trust_corruption_suite.py` binds them to non-overlapping days.

**Detectability.** Each expectation carries `z`: per flagged slice, how many standard deviations
the corruption moves the evidence a detector can see, computed from the data itself, so the test
can check that the chosen volume makes the corruption statistically detectable (z >= 6.4: the fail
threshold z = -4.75 reached with 95 % power) before asking the warehouse to detect it. For a count
that loses (or gains) `k` of the `n` rows a clean day would have, z = k / sqrt(n) (Poisson: a clean
day's count varies by sqrt(n)). A *defect* that a clean log cannot produce at all (a negative
revenue, a repeated id, a null required field, a timestamp years after its ingestion) is detectable
at any volume where it occurs at least once: its z is reported as `inf`. On the generator's clean
logs the daily purchases-per-session ratio of a country varies by a coefficient of variation within
5 % of the Poisson one (US at 120k players: 0.117 observed vs 0.112 Poisson), so the Poisson z is
honest there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

API_KPIS = (
    "api_calls",
    "api_success_rate",
    "api_failure_rate",
    "api_timeout_rate",
    "api_p50_latency_ms",
    "api_p95_latency_ms",
    "api_p99_latency_ms",
)
GAME_KPIS = (
    "dau",
    "new_users",
    "sessions",
    "purchasers",
    "purchases",
    "revenue_usd",
    "conversion_rate",
    "arpdau",
    "arppu",
    "d1_retention",
    "levels_completed",
)
PURCHASE_KPIS = ("purchases", "purchasers", "revenue_usd", "conversion_rate", "arppu", "arpdau")
REVENUE_KPIS = ("revenue_usd", "arpdau", "arppu")
GAME_SLICE_DIMENSIONS = ("platform", "country", "acquisition_channel")
ALL = ("all", "all")
# A corruption must move its evidence by at least this many Poisson standard deviations: the
# evidence's fail threshold (z -4.75, one-sided 1e-6) reached with 95 % power (+1.65). A loss the
# size of the count's own noise cannot be required of any detector.
DETECTABLE_Z = 6.4

Slice = tuple[str, str]


@dataclass(frozen=True)
class Expectation:
    """What the warehouse must say about one corruption.

    `slices` x `kpis` x `days` are the rows that must be flagged: `trust_score` < 70 when not
    `repairable`; `reported_trust_score` < 70 and `trust_score` >= 90 when the warehouse can
    repair the value (deduplication, status normalisation). `sibling_slices` x `sibling_kpis` x
    `days` are healthy rows of the same days that must stay high. `touched_days` are every day
    of `dataset` whose rows the corruption changed (kept out of the clean-day check).
    """

    name: str
    dataset: str
    days: tuple[date, ...]
    slices: tuple[Slice, ...]
    kpis: tuple[str, ...]
    repairable: bool
    sibling_slices: tuple[Slice, ...] = ()
    sibling_kpis: tuple[str, ...] = ()
    touched_days: tuple[date, ...] = ()
    z: dict[str, float] = field(default_factory=dict)
    description: str = ""


def _day_mask(timestamps: pd.Series, day: date) -> pd.Series:
    start = pd.Timestamp(day)
    return (timestamps >= start) & (timestamps < start + pd.Timedelta(days=1))


def _poisson_z(removed: int, expected: int) -> float:
    return removed / math.sqrt(expected) if expected > 0 else 0.0


def _slice_key(dimension_name: str, dimension_value: str) -> str:
    return f"{dimension_name}={dimension_value}"


def _game_slices(game_events: pd.DataFrame) -> list[Slice]:
    slices = [ALL]
    for dimension in GAME_SLICE_DIMENSIONS:
        slices += [(dimension, value) for value in sorted(game_events[dimension].dropna().unique())]
    return slices


def _in_slice(frame: pd.DataFrame, dimension: Slice) -> pd.Series:
    name, value = dimension
    if name == "all":
        return pd.Series(True, index=frame.index)
    return frame[name] == value


def truncate_game_day_at_noon(
    api_calls: pd.DataFrame, game_events: pd.DataFrame, rng: np.random.Generator, *, day: date
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """A game day cut at 12:00 UTC: every event of `day` with event_at >= 12:00 is removed.

    Mimics an export job that ran at noon and was never re-run (or a log partition for the
    afternoon that was lost): the day looks complete to a naive query, just small.

    Detectable in every slice: the afternoon holds 34-73 % of a country's events (AU, whose
    evening is the UTC morning, has the smallest share) and ~54 % of the total. At 150k players
    the smallest country (AU, ~870 events a day) loses ~290 events: z = 290 / sqrt(870) ~ 10; the
    total (~28.6k events) loses ~15k, z ~ 90. Beyond the volume, an afternoon with zero events
    where ~290 were expected has Poisson probability e^-290. Every game KPI of every slice is
    computed from a half day, so every one must be low; nothing can repair it.
    """
    del rng  # deterministic
    game = game_events.copy()
    on_day = _day_mask(game["event_at"], day)
    cut = on_day & (game["event_at"] >= pd.Timestamp(day) + pd.Timedelta(hours=12))
    slices = _game_slices(game)
    z = {}
    for dimension in slices:
        in_slice = _in_slice(game, dimension) & on_day
        z[_slice_key(*dimension)] = _poisson_z(int((in_slice & cut).sum()), int(in_slice.sum()))
    return (
        api_calls,
        game[~cut].reset_index(drop=True),
        Expectation(
            name="game_day_truncated_at_noon",
            dataset="game_events",
            days=(day,),
            slices=tuple(slices),
            kpis=GAME_KPIS,
            repairable=False,
            touched_days=(day,),
            z=z,
            description=f"{int(cut.sum())} of {int(on_day.sum())} events of {day} removed",
        ),
    )


def lose_purchases_in_largest_country(
    api_calls: pd.DataFrame,
    game_events: pd.DataFrame,
    rng: np.random.Generator,
    *,
    days: tuple[date, ...],
    share: float = 0.4,
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """40 % of purchase events lost in the largest country on two days.

    Mimics a payment-SDK or store-receipt bug in one market (a localised build that drops part
    of its purchase callbacks): sessions and levels keep flowing, purchases thin out.

    The largest country (by events; US in the generator's world, ~31 % of purchases) has ~280
    purchases a day at 400k players (~350 on the weekend days used). Losing 40 % is ~110-140
    purchases against a Poisson sd of sqrt(280) ~ 17: z = 0.4 * sqrt(280) ~ 6.7 per day (the
    purchases-per-session ratio, which cancels the weekday and growth swings, has a clean-day CV
    equal to Poisson's). At 150k players the same loss is z ~ 4.1-4.6: a detector with a 1e-3
    false-alarm rate misses one such day in six. On the total row the loss is 0.4 * 31 % = 12.4 %
    of ~900 purchases, z ~ 3.7: not detectable, so the total is only required to be low when the
    computed z says so.
    """
    game = game_events.copy()
    country = str(game["country"].value_counts().idxmax())
    purchases = game["event_name"] == "purchase"
    dropped = pd.Series(False, index=game.index)
    z: dict[str, float] = {}
    slices: list[Slice] = [("country", country)]
    total_z = []
    for day in days:
        on_day = _day_mask(game["event_at"], day) & purchases
        candidates = game.index[on_day & (game["country"] == country)]
        lost = rng.choice(candidates, size=round(share * len(candidates)), replace=False)
        dropped.loc[lost] = True
        z[f"country={country}@{day}"] = _poisson_z(len(lost), len(candidates))
        total_z.append(_poisson_z(len(lost), int(on_day.sum())))
        z[f"all=all@{day}"] = total_z[-1]
    if min(total_z) >= DETECTABLE_Z:
        slices.append(ALL)
    siblings = [("country", str(c)) for c in sorted(game["country"].unique()) if c != country]
    return (
        api_calls,
        game[~dropped].reset_index(drop=True),
        Expectation(
            name="purchases_lost_in_largest_country",
            dataset="game_events",
            days=tuple(days),
            slices=tuple(slices),
            kpis=PURCHASE_KPIS,
            repairable=False,
            sibling_slices=tuple(siblings),
            sibling_kpis=PURCHASE_KPIS,
            touched_days=tuple(days),
            z=z,
            description=f"{int(dropped.sum())} purchases of {country} removed on {days}",
        ),
    )


def shift_evening_api_batches_past_midnight(
    api_calls: pd.DataFrame,
    game_events: pd.DataFrame,
    rng: np.random.Generator,
    *,
    day: date,
    hours: int = 7,
    evening_from: int = 17,
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """The batches ingested in the evening of `day` got their requested_at moved +7 h.

    Mimics a collector host whose clock (or timezone setting) jumped in the evening: the calls
    it forwarded are stamped 7 hours late, so they land on the next day while `ingested_at`
    (written by the log store) stays right. Day `day` loses its evening; the next day gains
    calls requested *after* they were ingested.

    Batches whose first row was ingested at or after 17:00 carry ~29 % of an API day (business
    hours in the Americas). At 600 calls a day that is ~175 calls missing from `day`:
    z = 175 / sqrt(600) ~ 7 (z >= 4 needs only ~190 calls a day); and each moved row is a
    defect a clean log cannot have
    (requested_at ~7 h after ingested_at, on a row ingested on `day`). The day's totals, its
    region mix and so its rates and percentiles are all computed from a day missing its
    evening: every API KPI of the total row must be low. Nothing can repair it (the shift is
    not known to the warehouse).
    """
    del rng
    api = api_calls.copy()
    start = pd.Timestamp(day)
    first_ingest = api.groupby("batch_id")["ingested_at"].transform("min")
    moved = (first_ingest >= start + pd.Timedelta(hours=evening_from)) & (
        first_ingest < start + pd.Timedelta(days=1)
    )
    on_day = _day_mask(api["requested_at"], day)
    api.loc[moved, "requested_at"] = api.loc[moved, "requested_at"] + pd.Timedelta(hours=hours)
    lost = int((moved & on_day & ~_day_mask(api["requested_at"], day)).sum())
    next_day = day + timedelta(days=1)
    return (
        api,
        game_events,
        Expectation(
            name="api_clock_shift_across_midnight",
            dataset="api_calls",
            days=(day,),
            slices=(ALL,),
            kpis=API_KPIS,
            repairable=False,
            touched_days=(day, next_day),
            z={"all=all": _poisson_z(lost, int(on_day.sum()))},
            description=f"{lost} of {int(on_day.sum())} calls of {day} moved to {next_day}",
        ),
    )


def date_api_calls_in_2030(
    api_calls: pd.DataFrame,
    game_events: pd.DataFrame,
    rng: np.random.Generator,
    *,
    day: date,
    share: float = 0.05,
    year: int = 2030,
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """5 % of one day's API calls have requested_at in 2030 (the year replaced, rest kept).

    Mimics a device or client clock set years ahead (or a year typo in a date-formatting
    library): the rows are ingested normally, but a naive query files them under a day of 2030.

    At 600 calls a day, 30 calls go missing from `day`: by volume alone z = 0.05 * sqrt(600)
    = 1.2, not detectable (that would take 6,400 calls a day). But each of them is a defect a
    clean log cannot produce (requested
    years after its own ingestion) and it names the day it belongs to through `ingested_at`:
    30 defects on a day whose clean rate is 0 (the clean log's ingestion lag is always
    positive), z = inf. They must not create a KPI day in 2030, and the day that lost them must
    be low on every API KPI of the total row (the trust lineage of docs/trust.md: a timestamp
    recorded after ingestion lowers every KPI of the dataset). Unrepairable: the true request
    time is lost.
    """
    api = api_calls.copy()
    on_day = api.index[_day_mask(api["requested_at"], day)]
    moved = rng.choice(on_day, size=round(share * len(on_day)), replace=False)
    api.loc[moved, "requested_at"] = [
        ts.replace(year=year) for ts in api.loc[moved, "requested_at"]
    ]
    return (
        api,
        game_events,
        Expectation(
            name="api_calls_dated_2030",
            dataset="api_calls",
            days=(day,),
            slices=(ALL,),
            kpis=API_KPIS,
            repairable=False,
            touched_days=(day,),
            z={"all=all": math.inf if len(moved) else 0.0},
            description=f"{len(moved)} of {len(on_day)} calls of {day} dated {year}",
        ),
    )


def upper_case_status_of_one_api(
    api_calls: pd.DataFrame,
    game_events: pd.DataFrame,
    rng: np.random.Generator,
    *,
    day: date,
    api_name: str,
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """One API's `status` written in upper case for one day (SUCCESS, FAILURE, TIMEOUT).

    Mimics one service's deploy switching its enum serialiser (Java `Enum.name()` instead of a
    lower-case mapping): the meaning is intact, so a warehouse that normalises casing repairs
    it, while a naive `status = 'success'` reads a 0 % success rate for that API.

    Deterministic: every one of the API's ~65 calls that day (face_match at 600 calls a day)
    is non-canonical against a clean rate of 0, z = inf; the naive success rate drops from ~95 %
    to 0 and the failure rate from ~4 % to 0, far beyond a day's binomial noise
    (sd ~ sqrt(0.95 * 0.05 / 65) = 2.7 points). `api_timeout_rate` is not asserted: the API's
    timeouts (~0 a day) make its naive and true timeout rates equal. The other APIs' rows are
    untouched and must stay high on both scores.
    """
    del rng
    api = api_calls.copy()
    rows = _day_mask(api["requested_at"], day) & (api["api_name"] == api_name)
    api.loc[rows, "status"] = api.loc[rows, "status"].str.upper()
    others = sorted(set(api["api_name"].unique()) - {api_name})
    return (
        api,
        game_events,
        Expectation(
            name="api_status_upper_cased_in_one_api",
            dataset="api_calls",
            days=(day,),
            slices=(("api_name", api_name),),
            kpis=("api_success_rate", "api_failure_rate"),
            repairable=True,
            sibling_slices=tuple(("api_name", str(name)) for name in others),
            sibling_kpis=API_KPIS,
            touched_days=(day,),
            z={f"api_name={api_name}": math.inf if rows.any() else 0.0},
            description=f"status upper-cased on {int(rows.sum())} calls of {api_name} on {day}",
        ),
    )


def null_latency_in_one_api(
    api_calls: pd.DataFrame,
    game_events: pd.DataFrame,
    rng: np.random.Generator,
    *,
    day: date,
    api_name: str,
    share: float = 0.2,
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """20 % of one API's calls on one day have a null `latency_ms` (a required field).

    Mimics a service whose timing middleware failed on part of its pods: the rows arrive, but
    without latency. They cannot enter the latency percentiles, and a warehouse that keeps
    rows with a null required field out of its KPIs also undercounts the API's calls.

    document_ocr has ~70 calls a day at 600 calls a day: ~14 nulls against a clean null rate
    of 0, z = inf (even a 1 % background null rate would give z = (14 - 0.7) / sqrt(0.7) ~ 16).
    The API's slice rows must be low (every KPI of the slice is computed from a fifth fewer
    rows than were made); the other APIs' `api_calls` rows are untouched and must stay high.
    """
    api = api_calls.copy()
    rows = api.index[_day_mask(api["requested_at"], day) & (api["api_name"] == api_name)]
    nulled = rng.choice(rows, size=round(share * len(rows)), replace=False)
    api.loc[nulled, "latency_ms"] = np.nan
    others = sorted(set(api["api_name"].unique()) - {api_name})
    return (
        api,
        game_events,
        Expectation(
            name="null_latency_in_one_api",
            dataset="api_calls",
            days=(day,),
            slices=(("api_name", api_name),),
            kpis=API_KPIS,
            repairable=False,
            sibling_slices=tuple(("api_name", str(name)) for name in others),
            sibling_kpis=("api_calls",),
            touched_days=(day,),
            z={f"api_name={api_name}": math.inf if len(nulled) else 0.0},
            description=f"latency_ms nulled on {len(nulled)} of {len(rows)} calls of {api_name}",
        ),
    )


def negative_revenue_in_two_countries(
    api_calls: pd.DataFrame,
    game_events: pd.DataFrame,
    rng: np.random.Generator,
    *,
    day: date,
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """Two purchases of one day, in two different countries, logged with negative revenue.

    Mimics refunds or chargebacks written into the purchase stream with a minus sign (instead of
    a `refund` event): a naive SUM nets them out twice, a warehouse that quarantines invalid
    revenue loses the purchase. Either way the two countries' revenue is wrong.

    A negative purchase revenue cannot occur in a clean log (z = inf); it is 1 of a country's
    ~5-30 purchases that day (3-20 %), and moves its revenue by twice the price (a 9.99 item on
    a ~$150 country-day is a 13 % error). Two countries chosen at random among those with at
    least 5 purchases that day; the other countries' revenue KPIs must stay high.
    """
    game = game_events.copy()
    purchases = game[_day_mask(game["event_at"], day) & (game["event_name"] == "purchase")]
    per_country = purchases["country"].value_counts()
    eligible = sorted(per_country[per_country >= 5].index)
    countries = [str(c) for c in rng.choice(eligible, size=2, replace=False)]
    rows = [int(rng.choice(purchases.index[purchases["country"] == c])) for c in countries]
    game.loc[rows, "revenue_usd"] = -game.loc[rows, "revenue_usd"].abs()
    siblings = [("country", str(c)) for c in sorted(game["country"].unique()) if c not in countries]
    return (
        api_calls,
        game,
        Expectation(
            name="negative_revenue_in_two_countries",
            dataset="game_events",
            days=(day,),
            slices=tuple(("country", c) for c in sorted(countries)),
            kpis=REVENUE_KPIS,
            repairable=False,
            sibling_slices=tuple(siblings),
            sibling_kpis=REVENUE_KPIS,
            touched_days=(day,),
            z={f"country={c}": math.inf for c in countries},
            description=f"one negative revenue in each of {', '.join(sorted(countries))}",
        ),
    )


def replay_game_batches(
    api_calls: pd.DataFrame,
    game_events: pd.DataFrame,
    rng: np.random.Generator,
    *,
    day: date,
    share: float = 0.15,
    replay_delay_hours: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame, Expectation]:
    """15 % of a game day's rows ingested twice: whole batches replayed under new batch ids.

    Mimics an ingestion job retried after a timeout that had in fact succeeded: the same events
    (same event_id and content) arrive again a few hours later in a new batch. Deduplicating on
    event_id repairs the counts exactly.

    Repeated ids have a clean rate of 0 (z = inf). The naive counts are inflated by exactly the
    replayed rows: sessions by ~15 % of ~14k a day (z = 0.15 * sqrt(14000) ~ 18), purchases and
    revenue by ~15 % of ~340 (~50 purchases: a known error, not a sampling one). DAU and
    purchasers count distinct users, which a replay does not change: they stay high.
    """
    game = game_events.copy()
    on_day = game[_day_mask(game["event_at"], day)]
    batches = rng.permutation(sorted(on_day["batch_id"].unique()))
    target = round(share * len(on_day))
    picked: list[pd.Index] = []
    taken = 0
    for batch in batches:
        rows = on_day.index[on_day["batch_id"] == batch]
        rows = rows[: target - taken]
        picked.append(rows)
        taken += len(rows)
        if taken >= target:
            break
    replay = game.loc[np.concatenate(picked)].copy()
    replay["batch_id"] = replay["batch_id"] + "_replay"
    replay["ingested_at"] = replay["ingested_at"] + pd.Timedelta(hours=replay_delay_hours)
    return (
        api_calls,
        pd.concat([game, replay], ignore_index=True),
        Expectation(
            name="game_batches_replayed",
            dataset="game_events",
            days=(day,),
            slices=(ALL,),
            kpis=("sessions", "purchases", "revenue_usd"),
            repairable=True,
            sibling_slices=(ALL,),
            sibling_kpis=("dau", "purchasers"),
            touched_days=(day,),
            z={"all=all": math.inf if taken else 0.0},
            description=f"{taken} of {len(on_day)} events of {day} replayed",
        ),
    )
