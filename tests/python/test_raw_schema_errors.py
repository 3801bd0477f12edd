"""Users' own logs with a wrong shape (or no rows) fail with one clear message naming the file.

A file missing a documented column (or a missing file) must not surface as a SQL binder error
from inside a staging model; `assert_raw_columns` checks the header before staging reads it.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import REPO, files_env, run_dbt

FIXTURE = REPO / "tests" / "fixtures" / "raw_small"


def _drop_column(src: Path, dst: Path, column: str) -> None:
    with src.open(newline="") as fin, dst.open("w", newline="") as fout:
        reader = csv.DictReader(fin)
        fields = [name for name in reader.fieldnames or [] if name != column]
        writer = csv.DictWriter(fout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    _drop_column(FIXTURE / "api_calls.csv", raw / "api_calls.csv", "batch_id")
    shutil.copy(FIXTURE / "game_events.csv", raw / "game_events.csv")
    with pytest.raises(RuntimeError) as error:
        run_dbt(["run", "-s", "stg_api_gateway__api_calls"], files_env(tmp_path, raw))
    message = str(error.value)
    assert "missing required column(s): batch_id" in message
    assert str(raw / "api_calls.csv") in message
    assert "Binder Error" not in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "empty"
    raw.mkdir()
    with pytest.raises(RuntimeError, match="file not found: .*api_calls.csv"):
        run_dbt(["run", "-s", "stg_api_gateway__api_calls"], files_env(tmp_path, raw))


def test_extra_columns_are_ignored(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with (FIXTURE / "api_calls.csv").open(newline="") as fin:
        rows = list(csv.reader(fin))
    with (raw / "api_calls.csv").open("w", newline="") as fout:
        csv.writer(fout).writerows(
            [[*row, "x" if i else "extra_note"] for i, row in enumerate(rows)]
        )
    run_dbt(["run", "-s", "stg_api_gateway__api_calls"], files_env(tmp_path, raw))


def test_header_only_file_is_named(tmp_path: Path) -> None:
    """A log with its header but no data rows stops the build instead of building empty KPIs."""
    raw = tmp_path / "raw"
    raw.mkdir()
    header = (FIXTURE / "game_events.csv").read_text().splitlines()[0]
    (raw / "game_events.csv").write_text(header + "\n")
    shutil.copy(FIXTURE / "api_calls.csv", raw / "api_calls.csv")
    with pytest.raises(RuntimeError) as error:
        run_dbt(["run", "-s", "stg_game_telemetry__game_events"], files_env(tmp_path, raw))
    message = str(error.value)
    assert "has no data rows" in message
    assert str(raw / "game_events.csv") in message
