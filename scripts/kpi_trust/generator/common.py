"""Pieces both logs share: ingestion lag, hourly batches and the ingestion-side incidents.

A day of either log is a `Chunk`: a dict of equally long numpy arrays. Categorical columns are
integer codes into fixed vocabularies and ids are integers, so every transformation is a
vectorised array operation and strings are only materialised once, by Arrow, at write time.
Required keys here: `time` (recorded event time, µs), `ingested` (µs), `batch_hour` (hours since
the epoch of the batch the row belongs to) and `replay` (1 for rows of a replayed batch).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa

from .schedule import DAY_US, HOUR_US, day_us

Chunk = dict[str, np.ndarray]

# Normal ingestion lag: a few seconds to ~20 minutes (log-normal, median ~45 s).
_LAG_MEDIAN_S = 45.0
_LAG_MAX_S = 1_200.0
# Incident lags (docs/design.md): late batches 30-72 h, replays a few hours after the original.
LATE_MIN_H, LATE_MAX_H = 30.0, 72.0
REPLAY_MIN_H, REPLAY_MAX_H = 1.0, 5.0


def ingestion_lag_us(rng: np.random.Generator, n: int) -> np.ndarray:
    """Positive ingestion lags: the pipeline is near-real-time but not instant."""
    lag_s = np.exp(rng.normal(np.log(_LAG_MEDIAN_S), 1.0, n))
    return (np.clip(lag_s, 1.0, _LAG_MAX_S) * 1e6).astype(np.int64)


def hour_of(us: np.ndarray) -> np.ndarray:
    return us // HOUR_US


def take(chunk: Chunk, index: np.ndarray) -> Chunk:
    return {name: col[index] for name, col in chunk.items()}


def concat(chunks: list[Chunk]) -> Chunk:
    chunks = [c for c in chunks if c and len(c["time"])]
    if not chunks:
        return {}
    if len(chunks) == 1:
        return chunks[0]
    return {name: np.concatenate([c[name] for c in chunks]) for name in chunks[0]}


def rows(chunk: Chunk) -> int:
    return len(chunk["time"]) if chunk else 0


def _pick_batches(
    chunk: Chunk, rng: np.random.Generator, share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Choose round(share * n) of the chunk's hourly batches; returns (batch hours, row mask)."""
    hours = np.unique(chunk["batch_hour"])
    k = int(round(share * len(hours)))
    chosen = np.sort(rng.choice(hours, size=k, replace=False)) if k else hours[:0]
    return chosen, np.isin(chunk["batch_hour"], chosen)


def apply_late_batch(chunk: Chunk, rng: np.random.Generator, share: float) -> None:
    """Whole batches land 30-72 h late: only `ingested` moves, event time stays in the window."""
    chosen, mask = _pick_batches(chunk, rng, share)
    if not len(chosen):
        return
    delay = (rng.uniform(LATE_MIN_H, LATE_MAX_H, len(chosen)) * HOUR_US).astype(np.int64)
    pos = np.searchsorted(chosen, chunk["batch_hour"][mask])
    chunk["ingested"][mask] += delay[pos]


def apply_duplicates(chunk: Chunk, rng: np.random.Generator, share: float) -> Chunk:
    """Replay whole batches: same ids and content, later `ingested`, a new (`_replay`) batch."""
    chosen, mask = _pick_batches(chunk, rng, share)
    if not len(chosen):
        return chunk
    copy = take(chunk, np.flatnonzero(mask))
    delay = (rng.uniform(REPLAY_MIN_H, REPLAY_MAX_H, len(chosen)) * HOUR_US).astype(np.int64)
    copy["ingested"] = copy["ingested"] + delay[np.searchsorted(chosen, copy["batch_hour"])]
    copy["replay"] = np.ones(rows(copy), dtype=np.int8)
    return concat([chunk, copy])


def apply_pipeline_stall(chunk: Chunk, day_start: int, cutoff_hour: int) -> Chunk:
    """The pipeline stops at `cutoff_hour` UTC: rows recorded after it are never delivered."""
    return take(chunk, np.flatnonzero(chunk["time"] < day_start + cutoff_hour * HOUR_US))


def apply_batch_clock_skew(chunk: Chunk, in_slice: np.ndarray, day_start: int, hours: int) -> None:
    """The slice's ingestion batches of the day's last `hours` hours stamp event time +`hours`.

    Only those batches move, so their rows land after midnight (the next day) while the rest of
    the day stays right; `ingested` keeps the true clock, so event time follows ingestion.
    """
    first = (day_start + DAY_US) // HOUR_US - hours
    evening = (chunk["batch_hour"] >= first) & (chunk["batch_hour"] < first + hours)
    chunk["time"][in_slice & evening] += hours * HOUR_US


# Implausible event times (docs/design.md section 2): far future or before any real log.
FUTURE_US = (day_us(date(2030, 1, 1), 0), day_us(date(2100, 1, 1), 0))
PAST_US = (day_us(date(1970, 1, 2), 0), day_us(date(2001, 1, 1), 0))


def apply_implausible_time(
    chunk: Chunk,
    rng: np.random.Generator,
    in_slice: np.ndarray,
    day_start: int,
    share: float,
    era: str,
) -> None:
    """A `share` of the slice's rows get an event time in `era` ('future' or 'past').

    Only rows ingested this day: the label window is the ingestion day, so a row of 23:59
    ingested after midnight is left alone.
    """
    low, high = FUTURE_US if era == "future" else PAST_US
    today = chunk["ingested"] < day_start + DAY_US
    hit = in_slice & today & (rng.random(len(in_slice)) < share)
    chunk["time"][hit] = rng.integers(low, high, int(hit.sum()))


class BatchIds:
    """Global dictionary of hourly batch ids (`api_20260701_13`, `..._replay`).

    Fixed for the whole run, so every written block shares one Arrow dictionary and the
    Parquet writer can dictionary-encode batch ids without re-building strings per row.
    """

    def __init__(self, prefix: str, start_date: date, days: int) -> None:
        self.first_hour = day_us(start_date, -1) // HOUR_US
        n_hours = (days + 6) * 24  # covers 72 h late batches and replays past the last day
        names: list[str] = []
        for h in range(n_hours):
            stamp = datetime.fromtimestamp((self.first_hour + h) * 3_600, tz=UTC)
            base = f"{prefix}_{stamp:%Y%m%d_%H}"
            names.extend((base, f"{base}_replay"))
        self.dictionary = pa.array(names, type=pa.string())
        self.n_hours = n_hours

    def codes(self, batch_hour: np.ndarray, replay: np.ndarray) -> np.ndarray:
        offset = batch_hour - self.first_hour
        if len(offset) and (offset.min() < 0 or offset.max() >= self.n_hours):
            raise AssertionError("batch hour outside the batch dictionary range")
        return (offset * 2 + replay).astype(np.int32)


def dictionary_array(codes: np.ndarray, dictionary: pa.Array, null: np.ndarray | None = None):
    """A dictionary-encoded Arrow column from integer codes (null where `null` is set)."""
    indices = pa.array(codes.astype(np.int32, copy=False), mask=null)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def id_strings(prefix: str, numbers: np.ndarray, width: int, null: np.ndarray | None = None):
    """`prefix` + zero-padded number, built by Arrow kernels (no Python string per row)."""
    import pyarrow.compute as pc

    digits = pc.utf8_lpad(
        pc.cast(pa.array(numbers, mask=null), pa.string()), width=width, padding="0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def timestamps(us: np.ndarray) -> pa.Array:
    return pa.array(us.view("datetime64[us]"))


def day_of_week(start_date: date, day: int) -> int:
    """Monday = 0, matching the weekly factor tables."""
    return (start_date.toordinal() + day - 1) % 7


def day_start_us(start_date: date, day: int) -> int:
    return day_us(start_date, day)


__all__ = [
    "DAY_US",
    "HOUR_US",
    "BatchIds",
    "Chunk",
    "apply_batch_clock_skew",
    "apply_duplicates",
    "apply_implausible_time",
    "apply_late_batch",
    "apply_pipeline_stall",
    "concat",
    "day_of_week",
    "dictionary_array",
    "id_strings",
    "ingestion_lag_us",
    "rows",
    "take",
    "timestamps",
]
