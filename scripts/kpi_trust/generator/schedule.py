"""Incident scheduling: which incidents happen when, where and how strongly.

Windows are whole UTC days after the warm-up, never overlap within a dataset and leave at least
one clean day between (and one clean last day, so D1 retention of the last incident day can be
read). A timestamp shift or batch clock skew pushes rows past its last day, so its label ends
`shift` hours later and it occupies one more day. When the period is too short, incidents are
kept in catalogue priority order and the rest are dropped with a warning; nothing here can fail
for a short period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from . import vocab
from .config import GeneratorConfig, IncidentSpec, select_specs

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
_EPOCH = date(1970, 1, 1)
# Incidents whose recorded time runs `magnitude` whole hours ahead of the true time.
SHIFT_TYPES = ("timestamp_shift", "batch_clock_skew")


def day_us(start_date: date, day: int) -> int:
    """Microseconds since the Unix epoch of 00:00 UTC on `start_date + day`."""
    return ((start_date - _EPOCH).days + day) * DAY_US


@dataclass
class Incident:
    """A scheduled incident: the label row plus the parameters the generators need."""

    spec: IncidentSpec
    start_day: int  # index of the first affected day (0 = start_date)
    n_days: int
    magnitude: float
    slice_dimension: str
    slice_value: str
    params: dict[str, str | float] = field(default_factory=dict)
    incident_id: str = ""
    description: str = ""
    # A combination: further `dimension: value` pairs the labelled slice is narrowed by (a
    # timezone bug of one platform in one country). Two slices at once: further elements hit
    # alike (a release rejecting two document types). Both drawn from their own random stream.
    combination: dict[str, str] = field(default_factory=dict)
    also: list[dict[str, str]] = field(default_factory=list)

    @property
    def dataset(self) -> str:
        return self.spec.dataset

    @property
    def incident_type(self) -> str:
        return self.spec.incident_type

    @property
    def end_day(self) -> int:
        """First day after the generation window (exclusive)."""
        return self.start_day + self.n_days

    @property
    def extra_hours(self) -> int:
        """How far recorded timestamps reach past the window (the SHIFT_TYPES only)."""
        return int(self.magnitude) if self.incident_type in SHIFT_TYPES else 0

    @property
    def occupied_days(self) -> int:
        """Days of the timeline the label window touches."""
        return self.n_days + (1 if self.extra_hours else 0)

    @property
    def elements(self) -> list[dict[str, str]]:
        """The root-cause elements, each a conjunction `{dimension: value}`; [] when
        dataset-wide. The first holds the labelled slice."""
        if self.slice_dimension == "all":
            return []
        pairs = {self.slice_dimension: self.slice_value, **self.combination}
        if self.incident_type == "latency_regression":
            pairs["region"] = str(self.params["region"])
        if "api_version" in self.params:  # a schema drift ships in one release of the API
            pairs["api_version"] = str(self.params["api_version"])
        return [pairs, *self.also]

    @property
    def root_cause(self) -> str:
        """The exact root-cause set in the leaf cubes' terms: 'dim=value' pairs joined by '&'
        (one element), elements joined by ';', or 'all' for a dataset-wide incident. The slice
        columns above name one dimension (one of the first element's pairs) for the models that
        slice KPIs by one dimension; a latency regression hits one API in one region, an API
        schema drift one release of one API, a timezone bug one platform in one country:
        combinations; a failure spike two document types, a timezone bug of the API two
        regions: two elements."""
        if not self.elements:
            return "all"
        return ";".join(
            sorted("&".join(f"{k}={v}" for k, v in sorted(e.items())) for e in self.elements)
        )

    @property
    def where(self) -> str:
        """The slice in words: 'platform=android in country=US', 'region=a and region=b'."""
        if not self.elements:
            return "all traffic"
        first = [f"{self.slice_dimension}={self.slice_value}"]
        first += [f"{k}={v}" for k, v in self.combination.items()]
        rest = [" in ".join(f"{k}={v}" for k, v in e.items()) for e in self.also]
        return " and ".join([" in ".join(first), *rest])

    def active(self, day: int) -> bool:
        return self.start_day <= day < self.end_day

    def label_window(self, start_date: date) -> tuple[datetime, datetime]:
        start = datetime(start_date.year, start_date.month, start_date.day)
        return (
            start + timedelta(days=self.start_day),
            start + timedelta(days=self.end_day, hours=self.extra_hours),
        )


def _significant(names: tuple[str, ...], weights: np.ndarray, floor: float) -> list[str]:
    """Slice values carrying at least `floor` of the traffic (so an incident there matters)."""
    share = weights / weights.sum()
    return [name for name, w in zip(names, share, strict=True) if w >= floor]


def _draw_slice(spec: IncidentSpec, rng: np.random.Generator) -> tuple[str, str, dict]:
    """Slice dimension/value (and extra parameters) for one incident."""
    big_apis = _significant(vocab.API_NAMES, vocab.API_WEIGHTS, 0.05)
    big_regions = _significant(vocab.REGION_NAMES, vocab.REGION_WEIGHTS, 0.10)
    big_platforms = _significant(vocab.PLATFORM_NAMES, vocab.PLATFORM_WEIGHTS, 0.30)
    doc_share = (vocab.REGION_WEIGHTS[:, None] * vocab.REGION_DOCUMENT_MIX).sum(axis=0)
    big_docs = _significant(vocab.DOCUMENT_NAMES, doc_share, 0.10)
    paid = ["paid_social", "paid_search", "influencer"]

    def pick(values: list[str]) -> str:
        return values[int(rng.integers(len(values)))]

    t = spec.incident_type
    if t == "partial_event_loss":
        # A 15-60 % loss only matters in a value with >= 15 % of the players.
        dims = (
            ("country", vocab.COUNTRY_NAMES, vocab.COUNTRY_WEIGHTS),
            ("acquisition_channel", vocab.CHANNEL_NAMES, vocab.CHANNEL_WEIGHTS),
            ("platform", vocab.PLATFORM_NAMES, vocab.PLATFORM_WEIGHTS),
        )
        dim, names, weights = dims[int(rng.integers(len(dims)))]
        return dim, pick(_significant(names, weights, 0.15)), {}
    if t == "pipeline_stall":
        return "all", "all", {}
    if t in ("batch_clock_skew", "implausible_timestamp", "quarantine_heavy_day"):
        extra: dict[str, str] = {}
        if t == "implausible_timestamp":  # a clock reset towards the epoch, or a garbage future
            extra["era"] = "future" if rng.random() < 0.5 else "past"
        if spec.dataset == "api_calls":
            if t != "batch_clock_skew" and rng.random() < 0.4:
                return "api_name", pick(big_apis), extra
            return "region", pick(big_regions), extra
        return "platform", pick(big_platforms), extra
    if t == "schema_drift":
        if spec.variant == "event_rename":
            return "platform", pick(big_platforms), {}
        return "api_name", pick(big_apis), {}
    if t == "tracking_outage":
        return ("platform", pick(big_platforms), {}) if rng.random() < 0.7 else ("all", "all", {})
    if t == "bot_spike" or t == "campaign_spike":
        return "acquisition_channel", pick(paid), {}
    if t == "timestamp_shift":
        if spec.dataset == "api_calls":
            return "region", pick(big_regions), {}
        return "platform", pick(big_platforms), {}
    if t == "null_burst":
        u = rng.random()
        if spec.dataset == "api_calls":
            if u < 0.4:
                return "region", pick(big_regions), {}
            if u < 0.7:
                return "api_name", pick(big_apis), {}
            return "all", "all", {}
        return ("platform", pick(big_platforms), {}) if u < 0.6 else ("all", "all", {})
    if t == "latency_regression":
        return "api_name", pick(big_apis), {"region": pick(big_regions)}
    if t == "failure_spike":
        return "document_type", pick(big_docs), {}
    return "all", "all", {}


def _extend_slice(inc: Incident, rng: np.random.Generator) -> None:
    """Combinations and two-slice incidents, drawn from their own stream (`rng`) so the main
    schedule stream, and with it every other incident, is the same as without them. Values are
    drawn among those carrying enough traffic to matter, as `_draw_slice` draws its slices."""
    if inc.slice_dimension == "all":
        return

    def other(names: list[str], taken: str) -> str:
        rest = [n for n in names if n != taken]
        return rest[int(rng.integers(len(rest)))]

    t = inc.incident_type
    if t == "timestamp_shift" and inc.dataset == "game_events":
        # a timezone bug of one app build in one country's time zone
        countries = _significant(vocab.COUNTRY_NAMES, vocab.COUNTRY_WEIGHTS, 0.10)
        inc.combination["country"] = other(countries, "")
    elif t == "timestamp_shift":  # the API's servers in two regions run the bad clock config
        regions = _significant(vocab.REGION_NAMES, vocab.REGION_WEIGHTS, 0.10)
        inc.also.append({"region": other(regions, inc.slice_value)})
    elif t == "failure_spike":  # the release rejects two document types
        doc_share = (vocab.REGION_WEIGHTS[:, None] * vocab.REGION_DOCUMENT_MIX).sum(axis=0)
        docs = _significant(vocab.DOCUMENT_NAMES, doc_share, 0.10)
        inc.also.append({"document_type": other(docs, inc.slice_value)})


def slice_mask(inc: Incident, columns: dict[str, tuple[np.ndarray, tuple[str, ...]]]):
    """Rows an incident's slice covers: any element, every pair of it whose dimension is among
    `columns` (dimension -> (value codes per row, vocabulary)); all rows when dataset-wide. An
    element with no such pair covers nothing (it is about other columns)."""
    n = len(next(iter(columns.values()))[0])
    if not inc.elements:
        return np.ones(n, dtype=bool)
    hit = np.zeros(n, dtype=bool)
    for element in inc.elements:
        pairs = [(d, v) for d, v in element.items() if d in columns]
        if not pairs:
            continue
        mask = np.ones(n, dtype=bool)
        for dimension, value in pairs:
            codes, names = columns[dimension]
            mask &= codes == names.index(value)
        hit |= mask
    return hit


def _draw_magnitude(spec: IncidentSpec, rng: np.random.Generator) -> float:
    low, high = spec.magnitude_range
    if spec.incident_type in SHIFT_TYPES:
        return float(rng.integers(int(low), int(high) + 1))  # whole hours, like a TZ bug
    if spec.incident_type == "pipeline_stall":  # whole hours lost after the cut-off, / 24
        return round(float(rng.integers(round(low * 24), round(high * 24) + 1)) / 24, 4)
    return round(float(rng.uniform(low, high)), 3)


def stall_cutoff_hour(inc: Incident) -> int:
    """UTC hour a pipeline stall starts (magnitude = hours lost / 24)."""
    return 24 - round(inc.magnitude * 24)


def _describe(inc: Incident) -> str:
    m, sv = inc.magnitude, inc.slice_value
    where = inc.where
    t, variant = inc.incident_type, inc.spec.variant
    if t == "tracking_outage":
        return f"SDK tracking outage: {m:.0%} of purchase events on {where} never recorded"
    if t == "schema_drift" and variant == "event_rename":
        return f"new app build on {where} logs {m:.0%} of purchases as in_app_purchase"
    if t == "schema_drift" and variant == "status_casing":
        return (
            f"{sv} {inc.params['api_version']} ({m:.0%} of its calls) writes status in upper case"
        )
    if t == "schema_drift":
        return f"{sv} {inc.params['api_version']} ({m:.0%} of its calls) reports latency in seconds"
    if t == "bot_spike":
        return (
            f"bot farm via {sv}: new users = {m:.0%} of real DAU, dozens of sessions, no purchases"
        )
    if t == "timestamp_shift":
        return f"timezone bug on {where}: event time recorded {int(m)} h late"
    if t == "batch_clock_skew":
        return (
            f"clock skew on {where}: ingestion batches of the last {int(m)} h of each day "
            f"record event time +{int(m)} h (past midnight)"
        )
    if t == "partial_event_loss":
        return f"partial loss: {m:.0%} of purchase events on {where} never recorded"
    if t == "pipeline_stall":
        return (
            f"pipeline stalled at {stall_cutoff_hour(inc):02d}:00 UTC: nothing recorded after "
            f"it that day ({m:.0%} of the day's hours)"
        )
    if t == "implausible_timestamp":
        years = "2030-2099" if inc.params["era"] == "future" else "1970-2000"
        return f"{m:.0%} of rows on {where} ingested with an event time in {years}"
    if t == "quarantine_heavy_day":
        column = "status" if inc.dataset == "api_calls" else "event_name"
        return f"{column} unparseable ('{vocab.UNPARSEABLE}') on {m:.0%} of rows on {where}"
    if t == "duplicate_ingestion":
        return f"{m:.0%} of the hourly ingestion batches replayed (same ids, new batch_id)"
    if t == "null_burst":
        column = "latency_ms" if inc.dataset == "api_calls" else "user_id"
        return f"{column} null on {m:.0%} of rows on {where}"
    if t == "late_batch":
        return f"{m:.0%} of the window's rows (whole hourly batches) ingested 30-72 h late"
    if t == "latency_regression":
        return f"{sv} in region {inc.params['region']} {m:.2f}x slower after an infra change"
    if t == "failure_spike":
        docs = " and ".join([sv, *(e["document_type"] for e in inc.also)])
        return f"release rejects {docs}: failure rate +{m * 100:.0f} points"
    if t == "conversion_drop":
        return f"price change: payer propensity x{m:.2f} for all players"
    if t == "campaign_spike":
        return f"marketing campaign: installs x{m:.1f} in {sv}"
    return t


def schedule_incidents(
    cfg: GeneratorConfig,
    rng: np.random.Generator,
    drift_version: Callable[[str, int, str], str],
    rng_slices: np.random.Generator | None = None,
) -> tuple[list[Incident], list[str]]:
    """Place the configured incidents on the timeline. Returns (incidents, warnings).

    `drift_version(api_name, day, variant)` names the release an API schema drift ships as, so
    the label can point at the exact `api_version` that misbehaves. `rng_slices` draws the
    combinations and second slices (`_extend_slice`); without it, none.
    """
    if not cfg.incidents:
        return [], []
    specs = select_specs(cfg.incident_types)
    warnings: list[str] = []
    # Last incident day must leave one clean trailing day.
    available = cfg.days - cfg.warmup_days - 1
    incidents: list[Incident] = []
    for dataset in ("api_calls", "game_events"):
        chosen: list[Incident] = []
        used = 0
        skipped: list[str] = []
        for spec in (s for s in specs if s.dataset == dataset):
            dim, value, params = _draw_slice(spec, rng)
            magnitude = _draw_magnitude(spec, rng)
            wanted = int(rng.integers(spec.min_days, spec.max_days + 1))
            inc = Incident(spec, 0, spec.min_days, magnitude, dim, value, dict(params))
            inc.params["wanted_days"] = wanted
            if rng_slices is not None:
                _extend_slice(inc, rng_slices)
            need = inc.occupied_days + (1 if chosen else 0)  # + clean day before it
            if used + need <= available:
                chosen.append(inc)
                used += need
            else:
                skipped.append(spec.key)
        if skipped:
            warnings.append(
                f"{dataset}: only {len(chosen)} of {len(chosen) + len(skipped)} incidents fit in "
                f"{cfg.days} days after a {cfg.warmup_days}-day warm-up; "
                f"not injected: {', '.join(skipped)}"
            )
        # Lengthen windows towards their drawn duration (priority order) while slack remains.
        slack = max(available - used, 0)
        for inc in chosen:
            grow = min(int(inc.params.pop("wanted_days")) - inc.n_days, slack)
            inc.n_days += grow
            slack -= grow
        # Random order, random clean gaps (>= 1 day between incidents).
        order = rng.permutation(len(chosen)) if chosen else np.array([], dtype=int)
        gaps = rng.multinomial(slack, np.full(len(chosen) + 1, 1 / (len(chosen) + 1)))
        day = cfg.warmup_days
        for position, idx in enumerate(order):
            inc = chosen[int(idx)]
            day += int(gaps[position]) + (1 if position else 0)
            inc.start_day = day
            if inc.spec.variant in ("status_casing", "latency_unit"):
                inc.params["api_version"] = drift_version(inc.slice_value, day, inc.spec.variant)
            day += inc.occupied_days
            incidents.append(inc)
    incidents.sort(key=lambda i: (i.dataset, i.start_day))
    counters = {"api_calls": 0, "game_events": 0}
    for inc in incidents:
        counters[inc.dataset] += 1
        prefix = "api" if inc.dataset == "api_calls" else "game"
        inc.incident_id = f"{prefix}-{counters[inc.dataset]:02d}"
        inc.description = _describe(inc)
    return incidents, warnings
