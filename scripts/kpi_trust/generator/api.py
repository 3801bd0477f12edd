"""The API-call log: identity/KYC calls with realistic latency, failures and releases.

Per call: traffic follows each region's business day and the working week; latency is a
log-normal body per API with a Pareto tail, scaled by region, client, document and version;
calls slower than the API's timeout become 504 timeouts; failures follow a logistic model with
region x document x client interactions; failure reasons depend on API and document. Versions
roll out on a seeded release calendar with linear ramps.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import common, vocab
from .common import HOUR_US, Chunk
from .config import GeneratorConfig
from .schedule import DAY_US, Incident, slice_mask, stall_cutoff_hour

_TAIL_SHARE = 0.03  # share of calls in the Pareto tail
_TAIL_SCALE = 4.0  # tail starts at this multiple of the API median
_TAIL_ALPHA = 1.6
_MAX_RELEASES = 6

SCHEMA = pa.schema(
    [
        ("call_id", pa.string()),
        ("requested_at", pa.timestamp("us")),
        ("api_name", pa.dictionary(pa.int32(), pa.string())),
        ("api_version", pa.dictionary(pa.int32(), pa.string())),
        ("region", pa.dictionary(pa.int32(), pa.string())),
        ("client_type", pa.dictionary(pa.int32(), pa.string())),
        ("document_type", pa.dictionary(pa.int32(), pa.string())),
        ("status", pa.dictionary(pa.int32(), pa.string())),
        ("http_status", pa.int32()),
        ("error_reason", pa.dictionary(pa.int32(), pa.string())),
        ("latency_ms", pa.float64()),
        ("ingested_at", pa.timestamp("us")),
        ("batch_id", pa.dictionary(pa.int32(), pa.string())),
    ]
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class ApiLog:
    """Generates the API-call log one UTC day at a time (see module docstring)."""

    def __init__(self, cfg: GeneratorConfig, rng: np.random.Generator) -> None:
        self.cfg = cfg
        self.rng = rng
        self.start_us = common.day_start_us(cfg.start_date, 0)
        self.reason_cdf = vocab.reason_cdf()
        self.interaction = vocab.failure_interaction_logit()
        self.doc_cdf = np.cumsum(vocab.REGION_DOCUMENT_MIX, axis=1)
        n_api = len(vocab.APIS)
        # Per-API noise on the failure model so each seed's world differs a little.
        self.api_failure_logit = np.array(
            [vocab.FAMILY_FAILURE_LOGIT[f] for f in vocab.API_FAMILY]
        ) + rng.normal(0.0, 0.2, n_api)
        self._build_release_calendar(cfg.days)
        self.batches = common.BatchIds("api", cfg.start_date, cfg.days)
        self.next_id = 0

    # -- releases ------------------------------------------------------------------------------
    def _build_release_calendar(self, days: int) -> None:
        """Per API: versions, their release day (relative to start) and linear ramp length."""
        rng = self.rng
        n_api = len(vocab.APIS)
        self.release_day = np.full((n_api, _MAX_RELEASES), np.inf)
        self.ramp_days = np.ones((n_api, _MAX_RELEASES))
        self.version_code = np.zeros((n_api, _MAX_RELEASES), dtype=np.int32)
        self.version_latency = np.ones((n_api, _MAX_RELEASES))
        self.version_failure = np.zeros((n_api, _MAX_RELEASES))
        self.version_names: list[str] = []
        self.version_label: list[list[str]] = []
        for a in range(n_api):
            major, minor = int(rng.integers(1, 4)), int(rng.integers(0, 7))
            labels = [f"v{major}.{minor}"]
            self.release_day[a, 0] = -np.inf  # fully rolled out before the period
            day = float(rng.uniform(-25, 10))
            for k in range(1, _MAX_RELEASES):
                if day >= days:
                    break
                if rng.random() < 0.2:
                    major, minor = major + 1, 0
                else:
                    minor += 1
                labels.append(f"v{major}.{minor}")
                self.release_day[a, k] = day
                self.ramp_days[a, k] = float(rng.uniform(4, 14))
                self.version_latency[a, k] = self.version_latency[a, k - 1] * float(
                    np.exp(rng.normal(-0.03, 0.05))
                )
                self.version_failure[a, k] = float(rng.normal(0.0, 0.12))
                day += self.ramp_days[a, k] + float(rng.uniform(10, 40))
            for k, label in enumerate(labels):
                self.version_code[a, k] = len(self.version_names)
                self.version_names.append(label)
            self.version_label.append(labels)

    def _version_index(self, api: np.ndarray, t_day: np.ndarray) -> np.ndarray:
        """Index of the version serving each call: newer releases take over along their ramp."""
        u = self.rng.random(len(api))
        ramp = np.clip((t_day[:, None] - self.release_day[api]) / self.ramp_days[api], 0.0, 1.0)
        return (u[:, None] < ramp[:, 1:]).sum(axis=1)

    def drift_version(self, api_name: str, day: int, variant: str) -> str:
        """Name of the patch release that carries a schema drift (unique per API and variant)."""
        a = vocab.API_NAMES.index(api_name)
        current = int((self.release_day[a] <= day).sum()) - 1
        suffix = 1 if variant == "status_casing" else 2
        name = f"{self.version_label[a][current]}.{suffix}"
        if name not in self.version_names:
            self.version_names.append(name)
        return name

    # -- one day -------------------------------------------------------------------------------
    def day_chunk(self, day: int, incidents: list[Incident]) -> Chunk:
        cfg, rng = self.cfg, self.rng
        today = [i for i in incidents if i.active(day)]
        dow = common.day_of_week(cfg.start_date, day)
        n = int(rng.poisson(cfg.api_calls_per_day * vocab.API_WEEKLY[dow]))
        if n == 0:
            return {}
        day_start = self.start_us + day * DAY_US

        region = rng.choice(len(vocab.REGIONS), size=n, p=vocab.REGION_WEIGHTS)
        local_hour = rng.choice(24, size=n, p=vocab.API_LOCAL_HOURLY / vocab.API_LOCAL_HOURLY.sum())
        utc_hour = (local_hour - vocab.REGION_UTC_OFFSET[region]) % 24
        true_time = day_start + utc_hour * HOUR_US + rng.integers(0, HOUR_US, n)
        order = np.argsort(true_time, kind="stable")
        true_time, region, local_hour = true_time[order], region[order], local_hour[order]

        api = rng.choice(len(vocab.APIS), size=n, p=vocab.API_WEIGHTS)
        client = rng.choice(len(vocab.CLIENTS), size=n, p=vocab.CLIENT_WEIGHTS)
        document = (rng.random(n)[:, None] > self.doc_cdf[region]).sum(axis=1)
        document = np.minimum(document, len(vocab.DOCUMENTS) - 1)
        t_day = (true_time - self.start_us) / DAY_US
        version_idx = self._version_index(api, t_day)

        # Latency: log-normal body, Pareto tail, multiplicative effects, busy-hour load.
        load = 1.0 + 0.15 * vocab.API_LOCAL_HOURLY[local_hour] / vocab.API_LOCAL_HOURLY.max()
        scale = (
            vocab.REGION_LATENCY[region]
            * vocab.CLIENT_LATENCY[client]
            * vocab.DOCUMENT_LATENCY[document]
            * self.version_latency[api, version_idx]
            * load
        )
        median = vocab.API_MEDIAN_MS[api]
        latency = median * np.exp(vocab.API_SIGMA[api] * rng.standard_normal(n)) * scale
        tail = rng.random(n) < _TAIL_SHARE
        tail_latency = (
            _TAIL_SCALE * median[tail] * scale[tail] * (1.0 + rng.pareto(_TAIL_ALPHA, tail.sum()))
        )
        latency[tail] = np.maximum(latency[tail], tail_latency)
        timeout_ms = vocab.API_TIMEOUT_MS[api]
        is_timeout = latency >= timeout_ms
        latency[is_timeout] = timeout_ms[is_timeout] + rng.uniform(0, 250, is_timeout.sum())

        # Failures: logistic with interactions; timeouts are decided by latency above.
        logit = (
            self.api_failure_logit[api]
            + vocab.REGION_FAILURE_LOGIT[region]
            + vocab.CLIENT_FAILURE_LOGIT[client]
            + vocab.DOCUMENT_FAILURE_LOGIT[document]
            + self.interaction[region, client, document]
            + self.version_failure[api, version_idx]
            + rng.normal(0.0, 0.05)  # day-to-day wobble
        )
        p_fail = _sigmoid(logit)
        is_failure = ~is_timeout & (rng.random(n) < p_fail)
        reason = np.full(n, -1, dtype=np.int64)
        fail_idx = np.flatnonzero(is_failure)
        cdf = self.reason_cdf[api[fail_idx], document[fail_idx]]
        reason[fail_idx] = np.minimum(
            (rng.random(len(fail_idx))[:, None] > cdf).sum(axis=1), len(vocab.ERROR_REASONS) - 2
        )

        for inc in today:  # business incidents change the world, before any data defect
            if inc.incident_type == "latency_regression":
                hit = (api == vocab.API_NAMES.index(inc.slice_value)) & (
                    region == vocab.REGION_NAMES.index(str(inc.params["region"]))
                )
                slow = hit & ~is_timeout
                # Status was decided on the pre-regression latency; keep successes under the
                # timeout so only the latency KPIs move (the incident's declared lineage).
                latency[slow] = np.minimum(
                    latency[slow] * inc.magnitude,
                    timeout_ms[slow] * rng.uniform(0.9, 0.999, slow.sum()),
                )
            elif inc.incident_type == "failure_spike":
                u = rng.random(n)  # one draw for every rejected document type
                flip = np.zeros(n, dtype=bool)
                for element in inc.elements:
                    doc = vocab.DOCUMENT_NAMES.index(element["document_type"])
                    ok = (document == doc) & ~is_timeout & ~is_failure
                    share_ok = 1.0 - p_fail[document == doc].mean()
                    flip |= ok & (u < min(1.0, inc.magnitude / share_ok))
                is_failure |= flip
                reason[flip] = vocab.ERROR_REASON_NAMES.index("unsupported_document")

        status = np.where(is_timeout, 2, np.where(is_failure, 1, 0)).astype(np.int8)
        reason[is_timeout] = vocab.TIMEOUT_REASON
        http = np.where(status == 0, 200, vocab.ERROR_REASON_HTTP[np.maximum(reason, 0)])
        version = self.version_code[api, version_idx]
        latency = np.round(latency, 1)
        latency_null = np.zeros(n, dtype=bool)

        for inc in today:  # data defects written by the producer
            if inc.incident_type == "schema_drift":
                a = vocab.API_NAMES.index(inc.slice_value)
                drifted = (api == a) & (rng.random(n) < inc.magnitude)
                version[drifted] = self.version_names.index(str(inc.params["api_version"]))
                if inc.spec.variant == "status_casing":
                    status[drifted] += 3
                else:
                    latency[drifted] = np.round(latency[drifted] / 1000.0, 4)
            elif inc.incident_type == "null_burst":
                in_slice = self._slice_mask(inc, api, region)
                latency_null = in_slice & (rng.random(n) < inc.magnitude)
            elif inc.incident_type == "quarantine_heavy_day":
                in_slice = self._slice_mask(inc, api, region)
                status[in_slice & (rng.random(n) < inc.magnitude)] = vocab.STATUS_UNPARSEABLE

        ingested = true_time + common.ingestion_lag_us(rng, n)
        chunk: Chunk = {
            "time": true_time.copy(),
            "api": api.astype(np.int16),
            "version": version.astype(np.int32),
            "region": region.astype(np.int16),
            "client": client.astype(np.int16),
            "document": document.astype(np.int16),
            "status": status,
            "http": http.astype(np.int32),
            "reason": reason.astype(np.int16),
            "latency": latency,
            "latency_null": latency_null,
            "ingested": ingested,
            "batch_hour": common.hour_of(ingested),
            "replay": np.zeros(n, dtype=np.int8),
            "id": np.arange(self.next_id, self.next_id + n, dtype=np.int64),
        }
        self.next_id += n

        for inc in today:  # defects of the ingestion pipeline
            if inc.incident_type == "timestamp_shift":
                shifted = self._slice_mask(inc, api, region)
                chunk["time"][shifted] += int(inc.magnitude) * HOUR_US
            elif inc.incident_type == "late_batch":
                common.apply_late_batch(chunk, rng, inc.magnitude)
            elif inc.incident_type == "duplicate_ingestion":
                chunk = common.apply_duplicates(chunk, rng, inc.magnitude)
            elif inc.incident_type == "pipeline_stall":
                chunk = common.apply_pipeline_stall(chunk, day_start, stall_cutoff_hour(inc))
            elif inc.incident_type == "batch_clock_skew":
                in_slice = self._slice_mask(inc, chunk["api"], chunk["region"])
                common.apply_batch_clock_skew(chunk, in_slice, day_start, int(inc.magnitude))
            elif inc.incident_type == "implausible_timestamp":
                in_slice = self._slice_mask(inc, chunk["api"], chunk["region"])
                era = str(inc.params["era"])
                common.apply_implausible_time(chunk, rng, in_slice, day_start, inc.magnitude, era)
        return chunk

    @staticmethod
    def _slice_mask(inc: Incident, api: np.ndarray, region: np.ndarray) -> np.ndarray:
        columns = {"api_name": (api, vocab.API_NAMES), "region": (region, vocab.REGION_NAMES)}
        return slice_mask(inc, columns)

    # -- output --------------------------------------------------------------------------------
    def to_arrow(self, chunk: Chunk) -> pa.Table:
        """Arrow table in the contract's column order (docs/design.md, `api_calls`)."""
        dictionaries = {
            "api": pa.array(vocab.API_NAMES),
            "version": pa.array(self.version_names),
            "region": pa.array(vocab.REGION_NAMES),
            "client": pa.array(vocab.CLIENT_NAMES),
            "document": pa.array(vocab.DOCUMENT_NAMES),
            "status": pa.array(vocab.STATUS_NAMES),
            "reason": pa.array(vocab.ERROR_REASON_NAMES),
        }
        cat = {
            k: common.dictionary_array(chunk[k], d)
            for k, d in dictionaries.items()
            if k != "reason"
        }
        columns = [
            common.id_strings("call_", chunk["id"], 10),
            common.timestamps(chunk["time"]),
            cat["api"],
            cat["version"],
            cat["region"],
            cat["client"],
            cat["document"],
            cat["status"],
            pa.array(chunk["http"], type=pa.int32()),
            common.dictionary_array(
                np.maximum(chunk["reason"], 0), dictionaries["reason"], null=chunk["reason"] < 0
            ),
            pa.array(chunk["latency"], mask=chunk["latency_null"]),
            common.timestamps(chunk["ingested"]),
            common.dictionary_array(
                self.batches.codes(chunk["batch_hour"], chunk["replay"]), self.batches.dictionary
            ),
        ]
        return pa.Table.from_arrays(columns, schema=SCHEMA)
