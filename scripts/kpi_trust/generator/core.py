"""`generate()`: schedule incidents, simulate both logs day by day and write them.

Each log is produced by a loop over days (the only Python loop; each day is vectorised) and
streamed to disk in blocks, so memory stays bounded at any size. The two logs use independent
random streams spawned from the seed, which makes them safe to generate in two threads (numpy and
Arrow release the GIL for the heavy work) while staying byte-for-byte deterministic.
"""

from __future__ import annotations

import csv
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from . import common
from .api import SCHEMA as API_SCHEMA
from .api import ApiLog
from .config import GeneratorConfig
from .game import SCHEMA as GAME_SCHEMA
from .game import GameLog
from .schedule import Incident, schedule_incidents

LABEL_COLUMNS = (
    "incident_id",
    "dataset",
    "category",
    "incident_type",
    "start_at",
    "end_at",
    "slice_dimension",
    "slice_value",
    "affected_kpis",
    "magnitude",
    "description",
    "is_repairable",  # appended last so readers of the older 11-column files keep working
    "root_cause",  # appended last too: the exact root-cause set (docs/design.md section 1)
)


class _Log(Protocol):
    def day_chunk(self, day: int, incidents: list[Incident]) -> common.Chunk: ...

    def to_arrow(self, chunk: common.Chunk) -> pa.Table: ...


@dataclass
class GenerateResult:
    """What `generate` wrote: file paths and row counts by dataset name, plus the labels."""

    paths: dict[str, Path]
    row_counts: dict[str, int]
    incidents: list[Incident] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _write_log(
    log: _Log, incidents: list[Incident], cfg: GeneratorConfig, schema: pa.Schema, path: Path
) -> int:
    """Stream one log to `path` (via a temporary name, so a crash never leaves a half file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    if cfg.fmt == "parquet":
        # store_schema=False: readers see plain strings; values stay dictionary-encoded on disk.
        writer: pq.ParquetWriter | pa_csv.CSVWriter = pq.ParquetWriter(
            tmp, schema, compression="snappy", store_schema=False
        )
    else:
        writer = pa_csv.CSVWriter(tmp, schema)
    total = 0
    buffer: list[common.Chunk] = []
    buffered = 0
    try:
        for day in range(cfg.days):
            chunk = log.day_chunk(day, incidents)
            if common.rows(chunk):
                buffer.append(chunk)
                buffered += common.rows(chunk)
            if buffer and (buffered >= cfg.block_rows or day == cfg.days - 1):
                writer.write_table(log.to_arrow(common.concat(buffer)))
                total += buffered
                buffer, buffered = [], 0
        if total == 0:
            writer.write_table(schema.empty_table())
    finally:
        writer.close()
    os.replace(tmp, path)
    return total


def _format_ts(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _format_repairable(value: bool | None) -> str:
    """`true`/`false` for data-quality incidents; empty for business ones (nothing to repair)."""
    return "" if value is None else str(value).lower()


def write_labels(incidents: list[Incident], cfg: GeneratorConfig, path: Path) -> int:
    """The `injected_incidents` seed: always CSV, one row per incident (design.md section 1)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(LABEL_COLUMNS)
        for inc in incidents:
            start, end = inc.label_window(cfg.start_date)
            writer.writerow(
                (
                    inc.incident_id,
                    inc.dataset,
                    inc.spec.category,
                    inc.incident_type,
                    _format_ts(start),
                    _format_ts(end),
                    inc.slice_dimension,
                    inc.slice_value,
                    "|".join(inc.spec.affected_kpis),
                    f"{inc.magnitude:g}",
                    inc.description,
                    _format_repairable(inc.spec.is_repairable),
                    inc.root_cause,
                )
            )
    return len(incidents)


def generate(cfg: GeneratorConfig, out_dir: Path | str) -> GenerateResult:
    """Write `api_calls.<fmt>`, `game_events.<fmt>` and `injected_incidents.csv` to `out_dir`.

    Same config, same bytes. Incidents that do not fit a short period are skipped with a
    warning (returned in `.warnings` and emitted as UserWarning), never an error.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # The fourth stream (combinations, second slices) was added later: the first three children
    # of the seed are the same as before, so the schedule and both logs keep their draws.
    seeds = np.random.SeedSequence(cfg.seed).spawn(4)
    rng_schedule, rng_api, rng_game, rng_slices = (
        np.random.Generator(np.random.PCG64(s)) for s in seeds
    )

    api = ApiLog(cfg, rng_api)
    incidents, notes = schedule_incidents(cfg, rng_schedule, api.drift_version, rng_slices)
    api_incidents = [i for i in incidents if i.dataset == "api_calls"]
    game_incidents = [i for i in incidents if i.dataset == "game_events"]
    game = GameLog(cfg, rng_game, game_incidents)
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)

    paths = {
        "api_calls": out / f"api_calls.{cfg.fmt}",
        "game_events": out / f"game_events.{cfg.fmt}",
        "injected_incidents": out / "injected_incidents.csv",
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        api_job = pool.submit(_write_log, api, api_incidents, cfg, API_SCHEMA, paths["api_calls"])
        game_job = pool.submit(
            _write_log, game, game_incidents, cfg, GAME_SCHEMA, paths["game_events"]
        )
        counts = {"api_calls": api_job.result(), "game_events": game_job.result()}
    counts["injected_incidents"] = write_labels(incidents, cfg, paths["injected_incidents"])
    return GenerateResult(paths=paths, row_counts=counts, incidents=incidents, warnings=notes)
