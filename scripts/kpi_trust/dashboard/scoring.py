"""The upload page's work, without Streamlit: read a CSV and score a column, as `kpi-trust detect`.

Reading is ``detect.load_series_text`` (the CLI's and ``POST /score/csv``'s: the same time
column, the same numeric columns, the same one-line errors) and scoring is
``anomaly.detect_series`` at the chosen consensus, so a number on the page is the number
`kpi-trust detect FILE.csv --consensus N` prints. Each detector's own flags (``flag_<name>``)
do not depend on the consensus level; the alarms (``is_anomaly``) do.
"""

from __future__ import annotations

import pandas as pd

from kpi_trust.anomaly import DetectConfig, detect_series
from kpi_trust.detect import load_series_text

CONSENSUS_LEVELS = {1: "1: sensitive", 2: "2: balanced", 3: "3: strict"}
ALARM_NAME = "consensus alarms"


def read_upload(data: bytes, name: str) -> tuple[str, pd.Series, dict[str, pd.Series]]:
    """The uploaded file's time column, parsed times and numeric columns (``UserError`` if none)."""
    return load_series_text(data.decode("utf-8", errors="replace"), name)


def score_column(data: bytes, name: str, column: str, consensus: int) -> pd.DataFrame:
    """One column of the upload scored at `consensus`: ``detect_series``'s rows and columns."""
    _, times, columns = read_upload(data, name)
    return detect_series(times, columns[column], DetectConfig(consensus=consensus))


def detectors(scored: pd.DataFrame) -> list[str]:
    """The detectors that ran, in ``detect_series``'s order (seasonal, changepoint, ML ones)."""
    return [c.removeprefix("flag_") for c in scored.columns if c.startswith("flag_")]


def flag_counts(scored: pd.DataFrame) -> dict[str, int]:
    """Rows each detector flagged, then the consensus alarms (episodes' first rows)."""
    counts = {name: int(scored[f"flag_{name}"].sum()) for name in detectors(scored)}
    return {**counts, ALARM_NAME: int(scored["is_anomaly"].sum())}


def flags_long(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per timestamp and detector (the alarms last): the side-by-side chart's data."""
    keep = ["timestamp", "value", "expected", "lower", "upper"]
    parts = [
        scored[keep].assign(detector=name, flagged=scored[f"flag_{name}"].astype(bool))
        for name in detectors(scored)
    ]
    parts.append(scored[keep].assign(detector=ALARM_NAME, flagged=scored["is_anomaly"]))
    return pd.concat(parts, ignore_index=True)


def anomalies(scored: pd.DataFrame, column: str) -> pd.DataFrame:
    """The alarms of one column, in the columns `kpi-trust detect` writes (``column`` second)."""
    out = scored[scored["is_anomaly"]].copy()
    out.insert(1, "column", column)
    return out.reset_index(drop=True)


def to_csv(frame: pd.DataFrame) -> bytes:
    """The download's bytes: a plain UTF-8 CSV with a header, no index."""
    return frame.to_csv(index=False).encode("utf-8")
