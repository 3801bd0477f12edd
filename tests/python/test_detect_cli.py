"""`kpi-trust detect` end to end through kpi_trust.cli.main, including its error messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from detect_series_factory import daily
from kpi_trust.cli import main

FIRST_COLUMNS = [
    "timestamp",
    "column",
    "value",
    "expected",
    "lower",
    "upper",
    "score",
    "is_anomaly",
    "detectors_agreeing",
]


@pytest.fixture(scope="module")
def kpi_csv(tmp_path_factory):
    ts, revenue = daily(150, seed=31)
    revenue[130] += 200
    _, orders = daily(150, seed=32, sigma=5)
    frame = pd.DataFrame(
        {
            "region": "eu",
            "day": ts.strftime("%Y-%m-%d"),
            "revenue_usd": revenue.round(2),
            "orders": (orders / 10).round(),
        }
    ).drop(index=[40, 41, 90])  # missing days are tolerated
    path = tmp_path_factory.mktemp("detect") / "kpis.csv"
    frame.to_csv(path, index=False)
    return path


def test_scores_every_numeric_column(kpi_csv, tmp_path, capsys):
    out_path = tmp_path / "scores.csv"
    assert main(["detect", str(kpi_csv), "-o", str(out_path)]) == 0
    out = pd.read_csv(out_path)
    assert list(out.columns[:9]) == FIRST_COLUMNS
    assert set(out["column"]) == {"revenue_usd", "orders"}  # region is text, day is the time
    assert len(out) == 2 * 147
    revenue = out[out["column"] == "revenue_usd"].set_index("timestamp")
    assert revenue.loc["2025-05-16", "is_anomaly"]  # the spike, row 130
    assert revenue["is_anomaly"].sum() == 1
    assert "2 column(s)" in capsys.readouterr().err


def test_options_column_consensus_time_column_and_stdout(kpi_csv, capsys):
    argv = ["detect", str(kpi_csv), "--column", "revenue_usd", "--time-column", "day"]
    assert main([*argv, "--consensus", "3"]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert set(out["column"]) == {"revenue_usd"}
    assert out["detectors_agreeing"].max() <= 4
    alarm_days = out.loc[out["is_anomaly"], "detectors_agreeing"]
    assert (alarm_days >= 3).all()


def test_five_minute_csv_with_timezone_and_gaps(tmp_path, capsys):
    ts = pd.date_range("2025-03-01", periods=288 * 4, freq="5min", tz="UTC")
    x = 20 + np.random.default_rng(33).normal(0, 1, len(ts))
    x[1000] = 35
    frame = pd.DataFrame({"timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpu": x})
    path = tmp_path / "cpu.csv"
    frame.drop(index=range(500, 560)).to_csv(path, index=False)
    assert main(["detect", str(path), "-o", str(tmp_path / "o.csv")]) == 0
    out = pd.read_csv(tmp_path / "o.csv")
    assert out.loc[out["is_anomaly"], "value"].tolist() == [35]
    assert "step 0 days 00:05:00, season 1 days" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        (None, [], "no such file"),
        ("", [], "the file is empty"),
        ("date,x\n", [], "has a header but no data rows"),
        ("a,b\n1,2\n3,4\n", [], "no date or timestamp column found (columns: a, b)"),
        ("date,x\n2025-01-01,1\nsoon,2\n", [], "column 'date' has values that are not dates"),
        ("date,name\n2025-01-01,a\n2025-01-02,b\n", [], "no numeric column to score"),
        ("when,x\n2025-01-01,1\n", ["--time-column", "at"], "no column 'at'"),
        ("day,x,y\n2025-01-01,1,a\n", ["--column", "y"], "column 'y' is not numeric (e.g. 'a'"),
        ("day,x\n2025-01-01,1\n", ["--column", "z"], "no column 'z'"),
    ],
)
def test_errors_name_the_file_and_column(tmp_path, capsys, content, argv, message):
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_text(content)
    assert main(["detect", str(path), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"kpi-trust detect: error: {path}: ")
    assert message in err
    assert len(err.splitlines()) == 1
