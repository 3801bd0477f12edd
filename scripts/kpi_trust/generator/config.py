"""Generator configuration and the incident catalogue (docs/design.md section 2).

The catalogue is data, not code paths: the scheduler, the label writer and the tests all read
the same `IncidentSpec` rows, so the labels cannot drift from what the generator does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
_PURCHASE_KPIS = ("purchasers", "purchases", "revenue_usd", "conversion_rate", "arpdau", "arppu")
_LATENCY_KPIS = ("api_p50_latency_ms", "api_p95_latency_ms", "api_p99_latency_ms")
# pipeline_stall magnitude = hours lost / 24: a cut-off at 20:00 loses 4/24, at 08:00 16/24.
_STALL_SHARE = (4 / 24, 16 / 24)

# Default number of players installing over the simulated horizon (incl. a 60-day pre-history
# that seeds the existing player base): the default 90 days give DAU ~3,000-4,500, ~1.2M game
# events and ~140 purchases a day. The purchase KPIs set the size: at ~30 purchases a day (a
# third of this) a day's total cannot tell a 40 % drop from chance or from lost events (the
# trust score says insufficient_data on every purchase total), so the demo could not show
# them. Still small enough for `dbt seed` (~1 min) and a build of a few minutes.
DEFAULT_PLAYERS = 81_000
FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class IncidentSpec:
    """One incident kind of the catalogue; `key` is unique, `incident_type` is the label."""

    key: str
    dataset: str
    category: str
    incident_type: str
    affected_kpis: tuple[str, ...]
    min_days: int
    max_days: int
    magnitude_range: tuple[float, float]
    variant: str = ""
    # Can the warehouse fully repair the KPI in its adjusted value? True/False for data-quality
    # defects; None (written empty) for business incidents, where there is nothing to repair.
    is_repairable: bool | None = None

    @property
    def aliases(self) -> frozenset[str]:
        names = {self.key, self.incident_type}
        if self.variant:
            names.add(f"{self.incident_type}.{self.variant}")
            names.add(self.variant)
        return frozenset(names)


def _dq(
    key: str,
    dataset: str,
    itype: str,
    kpis: tuple[str, ...],
    mag: tuple[float, float],
    variant: str = "",
    *,
    repairable: bool,
    days: tuple[int, int] = (1, 3),
) -> IncidentSpec:
    return IncidentSpec(
        key, dataset, "data_quality", itype, kpis, days[0], days[1], mag, variant, repairable
    )


def _biz(
    key: str, dataset: str, itype: str, kpis: tuple[str, ...], mag: tuple[float, float]
) -> IncidentSpec:
    return IncidentSpec(key, dataset, "business", itype, kpis, 2, 5, mag)


# In priority order per dataset: when the period is too short, earlier rows are scheduled first.
CATALOGUE: tuple[IncidentSpec, ...] = (
    _dq(
        "api_calls.schema_drift.status_casing",
        "api_calls",
        "schema_drift",
        ("api_success_rate", "api_failure_rate", "api_timeout_rate"),
        (0.6, 1.0),
        "status_casing",
        repairable=True,
    ),
    _dq(
        "api_calls.schema_drift.latency_unit",
        "api_calls",
        "schema_drift",
        _LATENCY_KPIS,
        (0.6, 1.0),
        "latency_unit",
        repairable=True,
    ),
    _dq("api_calls.null_burst", "api_calls", "null_burst", API_KPIS, (0.2, 0.6), repairable=False),
    _dq(
        "api_calls.duplicate_ingestion",
        "api_calls",
        "duplicate_ingestion",
        ("api_calls",),
        (0.1, 0.5),
        repairable=True,
    ),
    _dq("api_calls.late_batch", "api_calls", "late_batch", API_KPIS, (0.3, 0.7), repairable=False),
    _dq(
        "api_calls.timestamp_shift",
        "api_calls",
        "timestamp_shift",
        API_KPIS,
        (2, 9),
        repairable=False,
    ),
    _biz(
        "api_calls.latency_regression", "api_calls", "latency_regression", _LATENCY_KPIS, (2.0, 4.0)
    ),
    _biz(
        "api_calls.failure_spike",
        "api_calls",
        "failure_spike",
        ("api_success_rate", "api_failure_rate"),
        (0.15, 0.35),
    ),
    # Pipeline failures added after the original catalogue: lower priority, so short periods
    # keep the older incidents. Magnitude ranges are those seen in real pipelines (a partial
    # loss is 15-60 %, not total; a stall cuts the day at 08:00-20:00 UTC; clocks skew 3-9 h).
    _dq(
        "api_calls.pipeline_stall",
        "api_calls",
        "pipeline_stall",
        API_KPIS,
        _STALL_SHARE,
        repairable=False,
        days=(1, 1),
    ),
    _dq(
        "api_calls.implausible_timestamp",
        "api_calls",
        "implausible_timestamp",
        API_KPIS,
        (0.15, 0.6),
        repairable=False,
        days=(1, 1),
    ),
    _dq(
        "api_calls.quarantine_heavy_day",
        "api_calls",
        "quarantine_heavy_day",
        API_KPIS,
        (0.15, 0.6),
        repairable=False,
        days=(1, 1),
    ),
    _dq(
        "api_calls.batch_clock_skew",
        "api_calls",
        "batch_clock_skew",
        API_KPIS,
        (3, 9),
        repairable=False,
        days=(1, 2),
    ),
    _dq(
        "game_events.tracking_outage",
        "game_events",
        "tracking_outage",
        _PURCHASE_KPIS,
        (0.9, 1.0),
        repairable=False,
    ),
    _dq(
        "game_events.schema_drift.event_rename",
        "game_events",
        "schema_drift",
        _PURCHASE_KPIS,
        (0.6, 1.0),
        "event_rename",
        repairable=True,
    ),
    _dq(
        "game_events.bot_spike",
        "game_events",
        "bot_spike",
        (
            "dau",
            "new_users",
            "sessions",
            "conversion_rate",
            "arpdau",
            "d1_retention",
            "levels_completed",
        ),
        (0.08, 0.2),
        repairable=True,
    ),
    _dq(
        "game_events.null_burst",
        "game_events",
        "null_burst",
        GAME_KPIS,
        (0.2, 0.6),
        repairable=False,
    ),
    _dq(
        "game_events.duplicate_ingestion",
        "game_events",
        "duplicate_ingestion",
        ("sessions", "purchases", "revenue_usd", "arpdau", "arppu", "levels_completed"),
        (0.1, 0.5),
        repairable=True,
    ),
    _dq(
        "game_events.late_batch",
        "game_events",
        "late_batch",
        GAME_KPIS,
        (0.3, 0.7),
        repairable=False,
    ),
    _dq(
        "game_events.timestamp_shift",
        "game_events",
        "timestamp_shift",
        GAME_KPIS,
        (2, 9),
        repairable=False,
    ),
    _biz(
        "game_events.conversion_drop",
        "game_events",
        "conversion_drop",
        ("purchasers", "purchases", "revenue_usd", "conversion_rate", "arpdau"),
        (0.4, 0.7),
    ),
    _biz(
        "game_events.campaign_spike",
        "game_events",
        "campaign_spike",
        ("dau", "new_users", "sessions"),
        (3.0, 6.0),
    ),
    _dq(
        "game_events.partial_event_loss",
        "game_events",
        "partial_event_loss",
        _PURCHASE_KPIS,
        (0.15, 0.6),
        repairable=False,
    ),
    _dq(
        "game_events.pipeline_stall",
        "game_events",
        "pipeline_stall",
        GAME_KPIS,
        _STALL_SHARE,
        repairable=False,
        days=(1, 1),
    ),
    _dq(
        "game_events.implausible_timestamp",
        "game_events",
        "implausible_timestamp",
        GAME_KPIS,
        (0.15, 0.6),
        repairable=False,
        days=(1, 1),
    ),
    _dq(
        "game_events.quarantine_heavy_day",
        "game_events",
        "quarantine_heavy_day",
        GAME_KPIS,
        (0.15, 0.6),
        repairable=False,
        days=(1, 1),
    ),
    _dq(
        "game_events.batch_clock_skew",
        "game_events",
        "batch_clock_skew",
        GAME_KPIS,
        (3, 9),
        repairable=False,
        days=(1, 2),
    ),
)

INCIDENT_NAMES: tuple[str, ...] = tuple(
    sorted({alias for spec in CATALOGUE for alias in spec.aliases})
)


def select_specs(incident_types: tuple[str, ...] | None) -> tuple[IncidentSpec, ...]:
    """The catalogue rows named by `incident_types` (None = all), in priority order.

    A name may be an incident type (`schema_drift` selects all three drifts), a variant
    (`status_casing`) or a full key (`api_calls.null_burst`). Unknown names raise ValueError.
    """
    if incident_types is None:
        return CATALOGUE
    wanted = {name.strip() for name in incident_types if name.strip()}
    unknown = sorted(wanted - set(INCIDENT_NAMES))
    if unknown:
        raise ValueError(
            f"unknown incident type(s) {', '.join(unknown)}; "
            f"choose from {', '.join(INCIDENT_NAMES)}"
        )
    return tuple(spec for spec in CATALOGUE if spec.aliases & wanted)


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything that determines the generated files; equal configs give identical bytes."""

    seed: int = 42
    start_date: date = date(2026, 7, 1)
    days: int = 90
    api_calls_per_day: int = 1_400
    players: int = DEFAULT_PLAYERS
    fmt: str = "csv"
    warmup_days: int = 14
    incidents: bool = True
    incident_types: tuple[str, ...] | None = None
    # Rows per written Parquet row group / CSV batch; affects only memory, not content.
    block_rows: int = field(default=1_000_000, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not isinstance(self.start_date, date):
            raise ValueError(f"start_date must be a date, got {self.start_date!r}")
        if self.days < 1 or self.days > 3_660:
            raise ValueError(f"days must be between 1 and 3660, got {self.days}")
        if self.api_calls_per_day < 0:
            raise ValueError(f"api_calls_per_day must be >= 0, got {self.api_calls_per_day}")
        if self.players < 0:
            raise ValueError(f"players must be >= 0, got {self.players}")
        if self.fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {self.fmt!r}")
        if self.warmup_days < 0:
            raise ValueError(f"warmup_days must be >= 0, got {self.warmup_days}")
        if self.incident_types is not None:
            object.__setattr__(self, "incident_types", tuple(self.incident_types))
            select_specs(self.incident_types)
