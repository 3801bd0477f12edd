"""Great Expectations suites for the two raw logs, defined in code and versioned with the repo.

Each suite validates ONE day of one staged log (``stg_api_gateway__api_calls`` /
``stg_game_telemetry__game_events``: the raw rows, typed, quarantined rows included). The
expectations are tuned on purpose:

* they must pass on clean generated days and fail on the data-quality incidents they are meant
  to catch (duplicate ingestion -> uniqueness, upper-case status / ``in_app_purchase`` -> value
  sets, null bursts -> not-null, latency written in seconds -> latency quantiles/range);
* they must NOT fail on business incidents (a 2-4x latency regression of one API in one region,
  a failure spike, a conversion drop, a campaign): those are real changes in the world, and a
  trust score that distrusts them would hide exactly the news KPIs exist to show. Hence the
  wide latency bounds and the volume bounds relative to the dataset's own median day.

Only the shape and vocabulary fixed by ``docs/design.md`` (status values, event names,
platforms, channels, formats) is hard-coded; names that vary per deployment (api names,
regions, document types) are checked by format, so users' own logs validate too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # GE takes seconds to import; callers that only need specs skip it.
    import great_expectations as gx

# Raw columns per log (docs/design.md section 1). Staging adds its own columns on top.
API_CALLS_COLUMNS: tuple[str, ...] = (
    "call_id",
    "requested_at",
    "api_name",
    "api_version",
    "region",
    "client_type",
    "document_type",
    "status",
    "http_status",
    "error_reason",
    "latency_ms",
    "ingested_at",
    "batch_id",
)
API_CALLS_REQUIRED: tuple[str, ...] = tuple(c for c in API_CALLS_COLUMNS if c != "error_reason")

GAME_EVENTS_COLUMNS: tuple[str, ...] = (
    "event_id",
    "user_id",
    "session_id",
    "event_name",
    "event_at",
    "platform",
    "country",
    "acquisition_channel",
    "install_date",
    "level",
    "revenue_usd",
    "ingested_at",
    "batch_id",
)
GAME_EVENTS_REQUIRED: tuple[str, ...] = tuple(
    c for c in GAME_EVENTS_COLUMNS if c not in ("level", "revenue_usd")
)

API_STATUSES = ("success", "failure", "timeout")
EVENT_NAMES = ("session_start", "level_complete", "purchase")
PLATFORMS = ("ios", "android", "web")
ACQUISITION_CHANNELS = ("organic", "paid_social", "paid_search", "influencer", "cross_promo")

# Ids: one token of letters, digits and - _ . : (uuids, prefixed counters); no blanks/spaces.
ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
SNAKE_CASE_REGEX = r"^[a-z][a-z0-9_]*$"
API_VERSION_REGEX = r"^v\d+(\.\d+)*$"
REGION_REGEX = r"^[a-z]+(-[a-z0-9]+)+$"
COUNTRY_REGEX = r"^[A-Z]{2}$"

# A day's row count must lie within these multiples of the dataset's median day. Wide on
# purpose: a campaign (installs x3-6 in one channel) or a replayed batch must not fail volume;
# a day that lost most of its rows, or a bot flood, does.
ROW_COUNT_MIN_RATIO = 0.25
ROW_COUNT_MAX_RATIO = 4.0

# Latency in milliseconds. Upper range: 10 minutes, far above any timeout. Quantile bounds sit
# ~5-10x away from normal values, so a 2-4x regression of one API in one region stays inside.
# A unit drift ships as a new version of ONE API, so latency in seconds may be only ~3% of a
# day's calls: the 1st percentile is the detector (normal p01 ~25 ms; values in seconds are
# ~1000x smaller, pulling p01 below LATENCY_P01_MIN_MS once they exceed ~1% of the day).
LATENCY_MAX_MS = 600_000.0
LATENCY_P01_MIN_MS = 5.0
LATENCY_QUANTILES = (0.01, 0.5, 0.95, 0.99)
LATENCY_QUANTILE_RANGES_MS = (
    (LATENCY_P01_MIN_MS, 2_000.0),
    (20.0, 20_000.0),
    (50.0, 120_000.0),
    (50.0, LATENCY_MAX_MS),
)

REVENUE_MAX_USD = 1_000.0
LEVEL_MAX = 10_000


@dataclass(frozen=True)
class DatasetSpec:
    """How one raw log is validated: suite, staging model, and the column defining its day."""

    dataset: str
    suite_name: str
    staging_model: str
    timestamp_column: str
    columns: tuple[str, ...]
    # Staging normalises some text columns (lower-cases `status`, `event_name`) and keeps the
    # value as delivered in `<column>_raw`. GE validates the raw log, so it reads those values:
    # an upper-case status from a drifting release must fail the value set, not be fixed first.
    raw_value_columns: tuple[tuple[str, str], ...] = ()


API_CALLS = DatasetSpec(
    dataset="api_calls",
    suite_name="api_calls_raw",
    staging_model="stg_api_gateway__api_calls",
    timestamp_column="requested_at",
    columns=API_CALLS_COLUMNS,
    raw_value_columns=(("status", "status_raw"),),
)
GAME_EVENTS = DatasetSpec(
    dataset="game_events",
    suite_name="game_events_raw",
    staging_model="stg_game_telemetry__game_events",
    timestamp_column="event_at",
    columns=GAME_EVENTS_COLUMNS,
    raw_value_columns=(("event_name", "event_name_raw"),),
)
DATASETS: tuple[DatasetSpec, ...] = (API_CALLS, GAME_EVENTS)


def spec_for(dataset: str) -> DatasetSpec:
    """The spec of ``dataset`` (``api_calls`` or ``game_events``)."""
    for spec in DATASETS:
        if spec.dataset == dataset:
            return spec
    known = [d.dataset for d in DATASETS]
    raise ValueError(f"unknown dataset {dataset!r}; expected one of {known}")


def row_count_bounds(median_daily_rows: float) -> tuple[int, int]:
    """Volume bounds for one day, relative to the dataset's median day (see the ratios above)."""
    return (
        int(median_daily_rows * ROW_COUNT_MIN_RATIO),
        int(median_daily_rows * ROW_COUNT_MAX_RATIO) + 1,
    )


def _required_present(spec: DatasetSpec, required: Sequence[str]) -> Any:
    """One expectation: no row of the day misses a required field.

    GE costs ~15 ms of Python per expectation per day whatever the data size, so 13 per-column
    not-null expectations x 90 days x 2 logs would spend most of the run budget on GE's own
    bookkeeping. One ``UnexpectedRowsExpectation`` checks every required column in a single
    pushed-down query (observed_value = offending rows); the columns that null incidents hit
    and that KPIs hinge on also get their own not-null expectation, with per-column counts.
    The day's timestamp is left out: a row without one has no day and is not in any batch.
    """
    import great_expectations.expectations as gxe

    columns = [c for c in required if c != spec.timestamp_column]
    condition = " or ".join(f"{column} is null" for column in columns)
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=f"select * from {{batch}} where {condition}",
        description=f"Required fields present: {', '.join(columns)}",
        notes="Required fields (docs/design.md): a null burst in any of them fails here.",
    )


def _not_null(column: str) -> Any:
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToNotBeNull(
        column=column, notes="Required field: per-column null counts for the trust score."
    )


def _suite(name: str, expectations: Sequence[Any]) -> gx.ExpectationSuite:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=list(expectations))


def _volume_and_shape(spec: DatasetSpec, median_daily_rows: float) -> list[Any]:
    """Column set and day volume: the table-level expectations both suites share."""
    import great_expectations.expectations as gxe

    min_rows, max_rows = row_count_bounds(median_daily_rows)
    return [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(spec.columns),
            exact_match=False,
            notes="Every raw column of the contract is present (staging may add more).",
        ),
        gxe.ExpectTableRowCountToBeBetween(
            min_value=min_rows,
            max_value=max_rows,
            notes=f"Day volume within {ROW_COUNT_MIN_RATIO}x-{ROW_COUNT_MAX_RATIO}x of the "
            "dataset's median day.",
        ),
    ]


def _uniqueness(id_column: str) -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(
            column=id_column, notes="A replayed ingestion batch repeats ids."
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=[id_column, "batch_id"],
            notes="An id appears at most once per ingestion batch.",
        ),
    ]


def api_calls_suite(median_daily_rows: float) -> gx.ExpectationSuite:
    """Suite for one day of ``api_calls``; volume bounds come from the dataset's median day."""
    import great_expectations.expectations as gxe

    return _suite(
        API_CALLS.suite_name,
        [
            *_volume_and_shape(API_CALLS, median_daily_rows),
            _required_present(API_CALLS, API_CALLS_REQUIRED),
            _not_null("call_id"),
            _not_null("latency_ms"),
            *_uniqueness("call_id"),
            gxe.ExpectColumnValuesToBeInSet(
                column="status",
                value_set=list(API_STATUSES),
                notes="Raw value, exact case: upper-case status from a new release is drift.",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="http_status", min_value=100, max_value=599, notes="A valid HTTP code."
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="latency_ms",
                min_value=0,
                max_value=LATENCY_MAX_MS,
                notes="Non-negative and below 10 minutes.",
            ),
            gxe.ExpectColumnQuantileValuesToBeBetween(
                column="latency_ms",
                quantile_ranges={
                    "quantiles": list(LATENCY_QUANTILES),
                    "value_ranges": [list(r) for r in LATENCY_QUANTILE_RANGES_MS],
                },
                notes="Wide bounds: catch latency written in seconds, not a 2-4x regression.",
            ),
            gxe.ExpectColumnValuesToMatchRegex(column="call_id", regex=ID_REGEX),
            gxe.ExpectColumnValuesToMatchRegex(column="api_version", regex=API_VERSION_REGEX),
            gxe.ExpectColumnValuesToMatchRegex(column="api_name", regex=SNAKE_CASE_REGEX),
            gxe.ExpectColumnValuesToMatchRegex(column="region", regex=REGION_REGEX),
        ],
    )


def game_events_suite(median_daily_rows: float) -> gx.ExpectationSuite:
    """Suite for one day of ``game_events``; volume bounds come from the dataset's median day."""
    import great_expectations.expectations as gxe

    return _suite(
        GAME_EVENTS.suite_name,
        [
            *_volume_and_shape(GAME_EVENTS, median_daily_rows),
            _required_present(GAME_EVENTS, GAME_EVENTS_REQUIRED),
            _not_null("event_id"),
            _not_null("user_id"),
            *_uniqueness("event_id"),
            gxe.ExpectColumnValuesToBeInSet(
                column="event_name",
                value_set=list(EVENT_NAMES),
                notes="Raw value: a renamed event (in_app_purchase) is schema drift.",
            ),
            gxe.ExpectColumnValuesToBeInSet(column="platform", value_set=list(PLATFORMS)),
            gxe.ExpectColumnValuesToBeInSet(
                column="acquisition_channel", value_set=list(ACQUISITION_CHANNELS)
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column="country", regex=COUNTRY_REGEX, notes="ISO-3166 alpha-2."
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="revenue_usd",
                min_value=0,
                max_value=REVENUE_MAX_USD,
                notes="A purchase is non-negative and below a plausible ceiling.",
            ),
            gxe.ExpectColumnValuesToBeBetween(column="level", min_value=1, max_value=LEVEL_MAX),
            gxe.ExpectColumnValuesToMatchRegex(column="event_id", regex=ID_REGEX),
            gxe.ExpectColumnValuesToMatchRegex(column="user_id", regex=ID_REGEX),
        ],
    )


def build_suite(spec: DatasetSpec, median_daily_rows: float) -> gx.ExpectationSuite:
    """The suite for ``spec``'s dataset."""
    builders = {API_CALLS.dataset: api_calls_suite, GAME_EVENTS.dataset: game_events_suite}
    return builders[spec_for(spec.dataset).dataset](median_daily_rows)
