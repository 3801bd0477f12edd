"""Independent pandas re-computation of warehouse KPIs from the raw log files.

Written from docs/design.md and the rules documented on the models (not from the SQL), so the
comparison in test_marts_pandas.py catches a wrong formula on either side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# date, time, first six fraction digits (up to nine accepted, the rest truncated: raw-schemas.md)
TS_PATTERN = (
    r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:(\.\d{1,6})\d{0,3})?(?:Z|\+00(?::?00)?)?$"
)
NUMBER_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
INTEGER_PATTERN = r"^[+-]?\d+(?:\.0*)?$"
KNOWN_EVENTS = {"session_start", "level_complete", "purchase"}
ALIASES = {"in_app_purchase": "purchase"}
BOT_SESSION_STARTS = 20
LATENCY_RATIO = 50
LATENCY_WINDOW_DAYS = 7
# Value bounds (dbt vars max_latency_ms, max_revenue_usd_per_purchase, max_level,
# max_text_length; docs/raw-schemas.md).
MAX_LATENCY_MS = 86_400_000
MAX_REVENUE_USD = 10_000
MAX_LEVEL = 1_000_000
MAX_TEXT_LENGTH = 200
YEAR_PATTERN = r"^(?:[1-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-"  # years 1000-9998


def read_raw(path: Path) -> pd.DataFrame:
    """All columns as stripped text, '' as missing; `row` = 1-based data row of the file."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.apply(lambda column: column.str.strip().replace("", np.nan))
    frame["row"] = np.arange(1, len(frame) + 1)
    return frame


def parse_ts(text: pd.Series) -> pd.Series:
    parts = text.where(text.str.contains(YEAR_PATTERN, na=False)).str.extract(TS_PATTERN)
    text = parts[0] + " " + parts[1] + parts[2].fillna("")
    return pd.to_datetime(text, errors="coerce", format="ISO8601")


def parse_number(text: pd.Series) -> pd.Series:
    """Decimal text as float; NaN for anything else, including values beyond the float range."""
    ok = text.str.fullmatch(NUMBER_PATTERN, na=False)
    number = pd.to_numeric(text.where(ok), errors="coerce")
    return number.where(np.isfinite(number))


def text_ok(frame: pd.DataFrame, columns: list[str], optional: tuple[str, ...] = ()) -> pd.Series:
    """Missing, or non-blank once whitespace/control characters go and at most MAX_TEXT_LENGTH.

    `optional` columns are checked for length only (blank there is missing, which is allowed).
    """
    ok = pd.Series(True, index=frame.index)
    for column in [*columns, *optional]:
        text = frame[column]
        cleaned = text.str.replace(r"[ \x00-\x1f\x7f]", "", regex=True)  # ASCII, as RE2
        blank = (cleaned == "") & (column not in optional)
        ok &= text.isna() | (~blank & (text.str.len() <= MAX_TEXT_LENGTH))
    return ok


# Timestamp plausibility (docs/trust.md "Attribution"; dbt vars timestamp_tolerance_minutes,
# timestamp_max_lag_days): an event timed after its ingestion, or outside the log's period,
# is quarantined; a naive query still drops only the rows outside the log's period.
TOLERANCE = pd.Timedelta(minutes=60)
MAX_LAG = pd.Timedelta(days=30)


def in_log_period(event: pd.Series, ingested: pd.Series) -> pd.Series:
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    # the log's first ingestion ignores rows ingested before their own event
    first_ingested = ingested[ingested >= event - TOLERANCE].min()
    return (
        (event >= first_ingested - MAX_LAG)
        & (event <= now + TOLERANCE)
        & (ingested.isna() | (ingested <= now + TOLERANCE))
    )


def plausible_time(event: pd.Series, ingested: pd.Series) -> pd.Series:
    return in_log_period(event, ingested) & (event <= ingested + TOLERANCE)


def api_frames(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(naive rows with a parseable date, adjusted unique valid calls with latency in ms)."""
    raw = read_raw(raw_dir / "api_calls.csv")
    raw["requested"] = parse_ts(raw["requested_at"])
    raw["ingested"] = parse_ts(raw["ingested_at"])
    raw["date"] = raw["requested"].dt.normalize()
    raw["latency"] = parse_number(raw["latency_ms"])
    # staging carries no latency beyond the bound, not even into the naive figures
    raw["latency"] = raw["latency"].where(raw["latency"].abs() <= MAX_LATENCY_MS)
    http_status = pd.to_numeric(raw["http_status"], errors="coerce")
    for column in ("api_name", "api_version", "region", "client_type", "document_type"):
        raw[column] = raw[column].str.lower()
    naive = raw[raw["date"].notna() & in_log_period(raw["requested"], raw["ingested"])].copy()

    status = raw["status"].str.lower()
    required = ["call_id", "api_name", "api_version", "region", "client_type", "document_type",
                "batch_id", "http_status"]  # fmt: skip
    valid = (
        raw[required].notna().all(axis=1)
        & raw["requested"].notna()
        & raw["ingested"].notna()
        & plausible_time(raw["requested"], raw["ingested"])
        & status.isin({"success", "failure", "timeout"})
        & raw["http_status"].str.fullmatch(INTEGER_PATTERN, na=False)
        & raw["latency"].notna()
        & (raw["latency"] >= 0)
        & http_status.between(100, 599)
        & text_ok(raw, [*required[:-1], "status"], optional=("error_reason",))
    )
    calls = raw[valid].assign(status=status[valid])
    calls = calls.sort_values(["ingested", "row"]).drop_duplicates("call_id", keep="first")

    # Latency unit: version-day median vs the median of the API's version-day medians over the
    # trailing window (day included).
    medians = calls.groupby(["api_name", "api_version", "date"])["latency"].median().reset_index()
    reference = []
    for row in medians.itertuples():
        window = medians[
            (medians["api_name"] == row.api_name)
            & (medians["date"] <= row.date)
            & (medians["date"] >= row.date - pd.Timedelta(days=LATENCY_WINDOW_DAYS))
        ]
        reference.append(window["latency"].median())
    medians["seconds"] = medians["latency"] * LATENCY_RATIO < np.array(reference)
    calls = calls.merge(
        medians[["api_name", "api_version", "date", "seconds"]],
        on=["api_name", "api_version", "date"],
    )
    calls["latency"] = np.where(calls["seconds"], calls["latency"] * 1000, calls["latency"])
    return naive, calls


def game_frames(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(naive rows with a parseable date, adjusted unique valid events of human user-days)."""
    raw = read_raw(raw_dir / "game_events.csv")
    raw["at"] = parse_ts(raw["event_at"])
    raw["ingested"] = parse_ts(raw["ingested_at"])
    raw["date"] = raw["at"].dt.normalize()
    raw["revenue"] = parse_number(raw["revenue_usd"])
    # staging carries no revenue beyond the bound, not even into the naive figures
    raw["revenue"] = raw["revenue"].where(raw["revenue"].abs() <= MAX_REVENUE_USD)
    raw["platform"] = raw["platform"].str.lower()
    raw["country"] = raw["country"].str.upper()
    raw["acquisition_channel"] = raw["acquisition_channel"].str.lower()
    naive = raw[raw["date"].notna() & in_log_period(raw["at"], raw["ingested"])].copy()

    name = raw["event_name"].str.lower()
    install_ok = raw["install_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}", na=False) & raw[
        "install_date"
    ].str.contains(YEAR_PATTERN, na=False)
    level_ok = raw["level"].isna() | (
        raw["level"].str.fullmatch(INTEGER_PATTERN, na=False)
        & pd.to_numeric(raw["level"], errors="coerce").between(0, MAX_LEVEL)
    )
    revenue_ok = raw["revenue_usd"].isna() | (raw["revenue"].notna() & (raw["revenue"] >= 0))
    required = ["event_id", "user_id", "session_id", "platform", "country",
                "acquisition_channel", "batch_id"]  # fmt: skip
    valid = (
        raw[required].notna().all(axis=1)
        & name.isin(KNOWN_EVENTS | set(ALIASES))
        & raw["at"].notna()
        & raw["ingested"].notna()
        & plausible_time(raw["at"], raw["ingested"])
        & install_ok
        & level_ok
        & revenue_ok
        & text_ok(raw, [*required, "event_name"])
    )
    events = raw[valid].assign(event_name=name[valid].replace(ALIASES))
    events = events.sort_values(["ingested", "row"]).drop_duplicates("event_id", keep="first")
    starts = events[events["event_name"] == "session_start"].groupby(["user_id", "date"]).size()
    bot_days = set(starts[starts > BOT_SESSION_STARTS].index)
    is_bot = pd.Series(
        [key in bot_days for key in zip(events["user_id"], events["date"], strict=True)],
        index=events.index,
    )
    return naive, events[~is_bot]


def d1_retention(events: pd.DataFrame) -> pd.Series:
    """Share of users first active on d who are active on d+1; NaN on the last day."""
    first = events.groupby("user_id")["date"].min()
    active = set(zip(events["user_id"], events["date"], strict=True))
    last_day = events["date"].max()
    out = {}
    for day, users in first.groupby(first).groups.items():
        if day >= last_day:
            out[day] = np.nan
            continue
        next_day = day + pd.Timedelta(days=1)
        out[day] = np.mean([(user, next_day) in active for user in users])
    days = sorted(events["date"].unique())
    return pd.Series({day: out.get(day, np.nan) for day in days})
