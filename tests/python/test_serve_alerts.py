"""`kpi-trust alert`: grouping, routing, suppression, channels, retries and the alerts_sent record.

End-to-end tests run the command on a copy of the session's small warehouse against receivers on
127.0.0.1 (serve_receivers.py): a JSON webhook, a Slack-compatible one, an SMTP server, one that
fails and one that is slow. Grouping and suppression rules are also tested on small frames.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import kpi_trust
import pandas as pd
import pytest
import yaml
from kpi_trust.cli import main
from kpi_trust.serve import alerts
from serve_receivers import SmtpReceiver, WebhookReceiver

FAST = {"attempts": 3, "backoff_seconds": 0.01, "timeout_seconds": 2}


def _rows(specs: list[tuple]) -> pd.DataFrame:
    """Candidate rows: (dataset, cause, kpi_name, slice value, day, trust, owner)."""
    records = []
    for dataset, cause, kpi, slice_value, day, trust, owner in specs:
        records.append(
            {
                "kpi_name": kpi,
                "dataset": dataset,
                "dimension_name": "all" if slice_value == "all" else "region",
                "dimension_value": slice_value,
                "unit": "ratio",
                "kpi_date": day,
                "value": 0.5,
                "trust_score": trust,
                "trust_level": "low" if trust < 70 else "high",
                "top_reasons": "x",
                "verdict": cause if cause in MOVES else None,
                "verdict_severity": "info" if cause in MOVES else None,
                "direction": None,
                "verdict_sentence": None,
                "expected": 0.6,
                "evidence_category": None if cause in MOVES else cause[5:],
                "volume": 500.0,
                "owner": owner,
                "root_cause": None,
                "root_cause_share": None,
                "root_cause_sentence": None,
                "cause": cause,
            }
        )
    return pd.DataFrame(records)


MOVES = ("real_movement", "repaired_incident")


def _config(**overrides) -> alerts.AlertConfig:
    channel = alerts.Channel(name="hook", type="webhook", url_env="X")
    return alerts.AlertConfig(channels=(channel,), **overrides)


def test_grouping_one_incident_per_dataset_cause_and_consecutive_days():
    rows = _rows(
        [
            ("api_calls", "data:validity", "api_calls", "all", date(2026, 7, 1), 0, None),
            ("api_calls", "data:validity", "api_success_rate", "eu", date(2026, 7, 2), 40, None),
            ("api_calls", "data:validity", "api_p95_latency_ms", "us", date(2026, 7, 3), 60, None),
            # a gap of two days: a new incident
            ("api_calls", "data:validity", "api_calls", "all", date(2026, 7, 6), 50, None),
            # another cause on a day of it: the same incident (one deploy breaks several checks)
            ("api_calls", "data:timeliness", "api_calls", "all", date(2026, 7, 2), 50, None),
            # another cause on days of its own: its own incident
            ("api_calls", "data:uniqueness", "api_calls", "all", date(2026, 7, 9), 50, None),
            # another dataset, same cause and days: its own incident
            ("game_events", "data:validity", "dau", "all", date(2026, 7, 2), 50, "game-team"),
        ]
    )
    incidents = alerts.group_incidents(rows, _config(), default_owner="platform")
    keys = [(i.dataset, i.cause, i.first_date.day, i.last_date.day) for i in incidents]
    assert keys == [
        ("api_calls", "data:validity", 1, 3),
        ("game_events", "data:validity", 2, 2),
        ("api_calls", "data:validity", 6, 6),
        ("api_calls", "data:uniqueness", 9, 9),
    ]
    first = incidents[0]
    assert len(first.rows) == 4 and first.severity == "critical"  # trust 0 <= 40
    assert set(first.rows["cause"]) == {"data:validity", "data:timeliness"}
    assert first.owners == {"platform"} and incidents[1].owners == {"game-team"}
    # the id does not move when a later day joins the incident (re-runs recognise it)
    grown = pd.concat(
        [
            rows,
            _rows([("api_calls", "data:validity", "api_calls", "all", date(2026, 7, 4), 0, None)]),
        ]
    )
    grown_first = alerts.group_incidents(grown, _config())[0]
    assert (
        grown_first.last_date == date(2026, 7, 4) and grown_first.incident_id == first.incident_id
    )


def test_a_move_on_a_broken_dataset_day_joins_that_data_incident():
    rows = _rows(
        [
            ("game_events", "data:uniqueness", "sessions", "all", date(2026, 8, 29), 40, None),
            # the same dataset and day: read in the data incident's alert, not a second page
            ("game_events", "real_movement", "revenue_usd", "all", date(2026, 8, 29), 95, None),
            # the next day, no data rows that day: joins the broken day before (max_gap_days)
            ("game_events", "real_movement", "dau", "all", date(2026, 8, 30), 95, None),
            # two days later: a real movement of its own
            ("game_events", "real_movement", "dau", "all", date(2026, 9, 1), 95, None),
            # another dataset that day: untouched
            ("api_calls", "real_movement", "api_calls", "all", date(2026, 8, 29), 95, None),
        ]
    )
    incidents = alerts.group_incidents(rows, _config())
    keys = sorted((i.dataset, i.cause, i.first_date.day, len(i.rows)) for i in incidents)
    assert keys == [
        ("api_calls", "real_movement", 29, 1),
        ("game_events", "data:uniqueness", 29, 3),
        ("game_events", "real_movement", 1, 1),
    ]


def test_a_run_of_repaired_days_next_to_a_broken_day_joins_it_whole():
    """Bots removed on the first two days of a spike but not all on the third: one incident.
    A real movement two days from the broken day keeps its own alert (one hop only)."""
    rows = _rows(
        [
            ("game_events", "repaired_incident", "dau", "all", date(2026, 9, 16), 95, None),
            ("game_events", "repaired_incident", "dau", "all", date(2026, 9, 17), 95, None),
            ("game_events", "data:bot_share", "dau", "all", date(2026, 9, 18), 40, None),
            ("game_events", "real_movement", "sessions", "all", date(2026, 9, 20), 95, None),
            # two days from any broken or repaired day: its own incident
            ("game_events", "repaired_incident", "dau", "all", date(2026, 9, 23), 95, None),
        ]
    )
    incidents = alerts.group_incidents(rows, _config())
    keys = sorted((i.cause, i.first_date.day, i.last_date.day, len(i.rows)) for i in incidents)
    assert keys == [
        ("data:bot_share", 16, 18, 3),
        ("real_movement", 20, 20, 1),
        ("repaired_incident", 23, 23, 1),
    ]


def test_severity_tiers_and_routing():
    config = _config()
    movement = alerts.group_incidents(
        _rows([("api_calls", "real_movement", "api_calls", "all", date(2026, 7, 1), 99, "a")]),
        config,
    )[0]
    low = alerts.group_incidents(
        _rows([("api_calls", "data:validity", "api_calls", "all", date(2026, 7, 1), 55, "b")]),
        config,
    )[0]
    assert movement.severity == "info" and low.severity == "warning"
    to_a = alerts.Channel(name="a", type="webhook", url_env="X", owners=("a",))
    warn_up = alerts.Channel(name="w", type="webhook", url_env="X", min_severity="warning")
    assert to_a.accepts(movement) and not to_a.accepts(low)
    assert warn_up.accepts(low) and not warn_up.accepts(movement)


def test_suppression_window():
    config = _config(suppression_hours=24)
    rows = _rows(
        [
            ("api_calls", "data:validity", "api_calls", "all", date(2026, 7, 1), 0, None),
            ("api_calls", "data:validity", "api_calls", "all", date(2026, 7, 3), 0, None),
            ("api_calls", "data:validity", "api_calls", "all", date(2026, 7, 6), 0, None),
        ]
    )
    first, second, third = alerts.group_incidents(rows, config)
    history = [
        {
            "incident_id": first.incident_id,
            "channel": "hook",
            "dataset": "api_calls",
            "cause": "data:validity",
            "status": "sent",
            "last_date": first.last_date,
        }
    ]
    assert alerts.suppressed_by(second, "hook", history, config) == first.incident_id
    assert alerts.suppressed_by(third, "hook", history, config) is None  # 48 h later
    assert alerts.suppressed_by(second, "other-channel", history, config) is None
    assert alerts.suppressed_by(second, "hook", history, _config(suppression_hours=0)) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"channels": [{"type": "webhook", "url": "http://x"}]}, "'url' is a secret"),
        ({"channels": [{"type": "pager"}]}, "type must be one of"),
        ({"channels": [{"type": "smtp", "host": "h"}]}, "needs host and to"),
        ({"channels": [{"type": "webhook", "url_env": "X"}], "min_volume": "lots"}, "min_volume"),
        ({"channels": [{"type": "webhook", "url_env": "X"}], "sneaky": 1}, "unknown key"),
    ],
)
def test_config_errors_name_the_file_and_key(tmp_path, monkeypatch, capsys, raw, message):
    for env in (alerts.ENV_SLACK, alerts.ENV_WEBHOOK, alerts.ENV_SMTP_HOST, alerts.ENV_CONFIG):
        monkeypatch.delenv(env, raising=False)
    path = tmp_path / "alerts.yml"
    path.write_text(yaml.safe_dump(raw))
    assert main(["alert", "--config", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err and "Traceback" not in err


@pytest.fixture()
def warehouse_copy(small_warehouse, tmp_path):
    """A private copy of the small warehouse: the alert command writes alerts_sent into it."""
    path = tmp_path / "kpi.duckdb"
    shutil.copy(small_warehouse.db_path, path)
    return path


def _write_config(tmp_path, channels: list[dict], **extra) -> str:
    path = tmp_path / "alerts.yml"
    path.write_text(yaml.safe_dump({"channels": channels, **FAST, **extra}))
    return str(path)


def _sent(db) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("select * from alerts_sent order by alert_id").df()


def test_alerts_end_to_end_webhook_slack_and_smtp_once_per_incident(
    warehouse_copy, tmp_path, monkeypatch, capsys
):
    with WebhookReceiver() as hook, WebhookReceiver() as slack, SmtpReceiver() as smtp:
        monkeypatch.setenv("TEST_HOOK_URL", hook.url)
        monkeypatch.setenv("TEST_SLACK_URL", slack.url)
        config = _write_config(
            tmp_path,
            [
                {"name": "hook", "type": "webhook", "url_env": "TEST_HOOK_URL"},
                {"name": "slack", "type": "slack", "url_env": "TEST_SLACK_URL"},
                {
                    "name": "mail",
                    "type": "smtp",
                    "host": "127.0.0.1",
                    "port": smtp.port,
                    "to": ["owner@example.com"],
                    "min_severity": "critical",
                },
            ],
        )
        args = ["alert", "--config", config, "--db", str(warehouse_copy)]
        assert main(args) == 0
        sent = _sent(warehouse_copy)
        incidents = sent["incident_id"].nunique()
        assert incidents > 0
        hook_rows = sent[sent["channel"] == "hook"]
        # one message per incident that was not suppressed as a continuation
        assert (
            len(hook.posts)
            == (hook_rows["status"] == "sent").sum()
            == len(hook_rows) - (hook_rows["status"] == "suppressed").sum()
        )
        assert len(slack.posts) == len(hook.posts)
        critical = (sent["channel"] == "mail") & (sent["status"] == "sent")
        assert len(smtp.messages) == critical.sum()
        assert set(sent.loc[sent["channel"] == "mail", "severity"]) <= {"critical"}

        post = hook.posts[0]
        assert {"title", "lines", "link", "severity", "incident_id", "kpis"} <= set(post)
        text = "\n".join(post["lines"])
        for part in ("What moved:", "Trust:", "Verdict:", "Top root cause:"):
            assert part in text
        assert post["link"].startswith("http://127.0.0.1:8000/dashboard?kpi=")
        assert set(slack.posts[0]) == {"text", "blocks"}
        assert slack.posts[0]["blocks"][0]["type"] == "header"
        if smtp.messages:
            assert smtp.messages[0]["To"] == "owner@example.com"
            assert "Trust:" in smtp.messages[0].get_payload()

        # a re-run sends nothing again
        posts_before = len(hook.posts)
        assert main(args) == 0
        assert len(hook.posts) == posts_before and len(slack.posts) == posts_before
        assert '"already": ' in capsys.readouterr().err
        assert len(_sent(warehouse_copy)) == len(sent)


def test_failed_delivery_is_retried_recorded_then_sent_by_the_next_run(
    warehouse_copy, tmp_path, monkeypatch, capsys
):
    with WebhookReceiver(fail=True) as hook:
        monkeypatch.setenv("TEST_HOOK_URL", hook.url)
        config = _write_config(
            tmp_path, [{"name": "hook", "type": "webhook", "url_env": "TEST_HOOK_URL"}]
        )
        args = ["alert", "--config", config, "--db", str(warehouse_copy)]
        assert main(args) == 1  # failures make the command fail
        assert "delivery failed after 3 attempt(s) to hook: HTTP 500" in capsys.readouterr().err
        sent = _sent(warehouse_copy)
        failed = sent[sent["status"] == "failed"]
        assert len(failed) > 0 and set(failed["attempts"]) == {3}
        assert hook.requests == 3 * len(failed)
        assert set(failed["error"]) == {"HTTP 500 Internal Server Error"}

        hook.fail = False  # the receiver is back: the next run delivers what failed
        assert main(args) == 0
        after = _sent(warehouse_copy)
        assert set(after["status"]) <= {"sent", "suppressed"}
        assert len(after) == len(failed)
        # each failed alert is now sent, or suppressed as the continuation of one just sent
        assert len(hook.posts) == (after["status"] == "sent").sum() > 0


def test_slow_receiver_times_out_then_fast_enough_one_is_served(
    warehouse_copy, tmp_path, monkeypatch
):
    with WebhookReceiver(delay=1.0) as slow:
        monkeypatch.setenv("TEST_HOOK_URL", slow.url)
        channels = [{"name": "hook", "type": "webhook", "url_env": "TEST_HOOK_URL"}]
        config = _write_config(tmp_path, channels, timeout_seconds=0.2, attempts=2, lookback_days=0)
        args = ["alert", "--config", config, "--db", str(warehouse_copy)]
        assert main(args) == 1
        failed = _sent(warehouse_copy)
        assert len(failed) >= 1 and set(failed["error"]) == {"timed out"}
        assert set(failed["attempts"]) == {2}

        slow.delay = 0.3  # slow, but within a 2 s timeout: delivered
        config = _write_config(tmp_path, channels, timeout_seconds=2, lookback_days=0)
        assert main(["alert", "--config", config, "--db", str(warehouse_copy)]) == 0
        assert set(_sent(warehouse_copy)["status"]) == {"sent"}


def test_floor_and_dry_run_send_and_record_nothing(warehouse_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TEST_HOOK_URL", "http://127.0.0.1:9/never")
    channels = [{"name": "hook", "type": "webhook", "url_env": "TEST_HOOK_URL"}]
    assert (
        main(
            [
                "alert",
                "--config",
                _write_config(tmp_path, channels),
                "--dry-run",
                "--db",
                str(warehouse_copy),
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "would send -> hook:" in out.out and '"would_send": ' in out.err
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        assert con.sql(
            "select count(*) from information_schema.tables where table_name = 'alerts_sent'"
        ).fetchall() == [(0,)]
    # a floor above every slice-day's volume: nothing pages
    config = _write_config(tmp_path, channels, min_volume=10**9)
    assert main(["alert", "--config", config, "--dry-run", "--db", str(warehouse_copy)]) == 0
    assert '"incidents": 0' in capsys.readouterr().err


def test_unconfigured_alerts_are_skipped_for_make_run(tmp_path, monkeypatch):
    for env in (alerts.ENV_SLACK, alerts.ENV_WEBHOOK, alerts.ENV_SMTP_HOST, alerts.ENV_CONFIG):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.chdir(tmp_path)
    assert not alerts.alerts_configured()
    assert main(["alert", "--if-configured"]) == 0
    monkeypatch.setenv(alerts.ENV_WEBHOOK, "http://127.0.0.1:9/x")
    assert alerts.alerts_configured()


def test_the_example_config_parses_and_env_channels_do_not_double(monkeypatch):
    example = Path(kpi_trust.__file__).resolve().parents[2] / "alerts.example.yml"
    monkeypatch.setenv(alerts.ENV_SLACK, "http://127.0.0.1:9/slack")  # used by the file too
    monkeypatch.setenv(alerts.ENV_WEBHOOK, "http://127.0.0.1:9/hook")
    config = alerts.load_config(example)
    assert [(c.name, c.type) for c in config.channels] == [
        ("data-team", "slack"),
        ("incident-bus", "webhook"),
        ("game-owners", "smtp"),
    ]
    assert config.channels[2].owners == ("game-analytics",)
    assert config.min_volume == 100 and config.suppression_hours == 0


def test_root_causes_are_read_when_the_table_exists(warehouse_copy, tmp_path, monkeypatch, capsys):
    """kpi_root_causes gives each alert its top root cause (by rank); a table without the
    expected columns is ignored rather than failing the alerts."""
    monkeypatch.setenv("TEST_HOOK_URL", "http://127.0.0.1:9/never")
    config = _write_config(
        tmp_path, [{"name": "hook", "type": "webhook", "url_env": "TEST_HOOK_URL"}]
    )
    args = ["alert", "--config", config, "--dry-run", "--db", str(warehouse_copy)]
    with duckdb.connect(str(warehouse_copy)) as con:
        # the build made the real table: replace it by one without the expected columns
        con.execute("drop table if exists kpi_root_causes")
        con.execute("create table kpi_root_causes as select 1 as something_else")
    assert main(args) == 0
    assert "Top root cause: not computed" in capsys.readouterr().out
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("drop table kpi_root_causes")
        con.execute(
            """
            create table kpi_root_causes as
            select kpi_name, kpi_date, dimension_name, dimension_value, rank,
                case rank when 1 then 'region=top-cause' else 'region=second' end as root_cause,
                1.0 / rank as score, 0.6 / rank as explained_share, 'why' as sentence
            from kpi_trust_daily, (select unnest([2, 1]) as rank)
            """
        )
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Top root cause: region=top-cause (60 % explained)" in out
    assert "region=second" not in out
