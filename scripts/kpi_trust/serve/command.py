"""`kpi-trust alert` and `kpi-trust serve`: the CLI side of alerts, the read API and dashboard.

``alert`` reads the built warehouse, groups alerting KPI-days into incidents (``alerts``),
sends each incident once per routed channel (``channels``) and records every outcome in the
warehouse table ``alerts_sent`` (one row per incident x channel), so a re-run sends nothing
twice, a suppressed incident is remembered, and a failed one is retried by the next run.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from kpi_trust.cli import UserError

ALERTS_SENT_DDL = """
create table if not exists main.alerts_sent (
    alert_id varchar primary key,
    incident_id varchar not null,
    channel varchar not null,
    channel_type varchar not null,
    dataset varchar not null,
    cause varchar not null,
    severity varchar not null,
    owners varchar,
    kpis varchar,
    title varchar,
    status varchar not null,
    suppressed_by varchar,
    error varchar,
    payload varchar,
    n_rows integer,
    attempts integer not null,
    first_date date not null,
    last_date date not null,
    updated_at timestamp not null
)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    alert = subparsers.add_parser(
        "alert",
        help="send one alert per incident (low trust, data incidents, real movements)",
        description=(
            "Group the warehouse's low-trust KPI-days and data_incident / real_movement verdicts "
            "into incidents (same dataset, cause and consecutive days) and send each once per "
            "routed channel (Slack-compatible webhook, JSON webhook, SMTP). Outcomes are "
            "recorded in the warehouse table alerts_sent: a re-run sends nothing twice and "
            "retries failed deliveries. Configuration: docs/serving.md."
        ),
    )
    alert.add_argument(
        "--config",
        type=Path,
        metavar="FILE.yml",
        help="alert config (default: $KPI_TRUST_ALERTS_CONFIG, else ./alerts.yml, else env vars)",
    )
    alert.add_argument("--db", type=Path, help="warehouse file (default: $KPI_TRUST_DB)")
    alert.add_argument(
        "--dry-run",
        action="store_true",
        help="print the incidents and what would be sent; send and record nothing",
    )
    alert.add_argument(
        "--if-configured",
        action="store_true",
        help="exit 0 quietly when no config file or alert env var exists (for make run)",
    )
    alert.set_defaults(func=run_alert)

    serve = subparsers.add_parser(
        "serve",
        help="serve the read API (/docs), POST /score and the dashboard",
        description=(
            "Serve the warehouse read-only over HTTP with uvicorn: KPI, trust, anomaly and "
            "verdict endpoints, POST /score (the detectors of `kpi-trust detect`), OpenAPI docs "
            "at /docs and the dashboard at /dashboard. Set KPI_TRUST_API_TOKEN to require a "
            "bearer token."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--db", type=Path, help="warehouse file (default: $KPI_TRUST_DB)")
    serve.set_defaults(func=run_serve)


def _history(con) -> list[dict]:
    rows = con.execute(
        "select alert_id, incident_id, channel, dataset, cause, status, last_date "
        "from main.alerts_sent"
    ).fetchall()
    keys = ("alert_id", "incident_id", "channel", "dataset", "cause", "status", "last_date")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _record(con, alert_id: str, channel, incident, content: dict, outcome: dict) -> None:
    con.execute("delete from main.alerts_sent where alert_id = ?", [alert_id])
    con.execute(
        f"insert into main.alerts_sent values ({', '.join(['?'] * 19)})",
        [
            alert_id,
            incident.incident_id,
            channel.name,
            channel.type,
            incident.dataset,
            incident.cause,
            incident.severity,
            ",".join(sorted(incident.owners)),
            ",".join(content["kpis"]),
            content["title"],
            outcome["status"],
            outcome.get("suppressed_by"),
            outcome.get("error"),
            outcome.get("payload"),
            content["n_rows"],
            outcome["attempts"],
            incident.first_date,
            incident.last_date,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )


def _default_owner() -> str:
    """The models' owner from dbt_project.yml (models: +meta: owner), for KPIs without one."""
    import yaml

    path = Path("dbt_project.yml")
    try:
        project = yaml.safe_load(path.read_text())
        return str(project["models"][project["name"]]["+meta"]["owner"])
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return "unowned"


def run_alert(args: argparse.Namespace) -> int:
    from kpi_trust.serve import alerts
    from kpi_trust.serve.channels import deliver
    from kpi_trust.serve.warehouse import WarehouseBusy, WarehouseMissing, connect

    try:
        if args.if_configured and not alerts.alerts_configured(args.config):
            return 0
        config = alerts.load_config(args.config)
    except alerts.ConfigError as error:
        raise UserError(str(error)) from error
    if not args.dry_run:
        for channel in config.channels:
            if channel.type != "smtp":
                try:
                    channel.url()
                except alerts.ConfigError as error:
                    raise UserError(str(error)) from error
    try:
        con = connect(args.db, write=not args.dry_run)
    except (WarehouseBusy, WarehouseMissing) as error:
        raise UserError(str(error)) from error
    except duckdb.Error as error:
        raise UserError(f"cannot open the warehouse: {error}") from error
    try:
        return _alert(con, config, args.dry_run, alerts, deliver)
    except duckdb.CatalogException as error:
        raise UserError(
            f"the warehouse lacks a table alerts need (run `make run` first): {error}"
        ) from error
    finally:
        con.close()


def _alert(con, config, dry_run: bool, alerts, deliver) -> int:
    rows = alerts.candidate_rows(con, config)
    incidents = alerts.group_incidents(rows, config, _default_owner())
    if not dry_run:
        con.execute(ALERTS_SENT_DDL)
        history = _history(con)
    else:
        from kpi_trust.serve.warehouse import has_table

        history = _history(con) if has_table(con, "alerts_sent") else []
    done = {h["alert_id"] for h in history if h["status"] in ("sent", "suppressed")}
    counts = {"sent": 0, "failed": 0, "suppressed": 0, "already": 0, "unrouted": 0}
    if dry_run:
        counts = {"would_send": 0, **counts}
    for incident in incidents:
        content = alerts.message(incident, config)
        routed = [c for c in config.channels if c.accepts(incident)]
        if not routed:
            counts["unrouted"] += 1
        for channel in routed:
            alert_id = f"{incident.incident_id}:{channel.name}"
            if alert_id in done:
                counts["already"] += 1
                continue
            earlier = alerts.suppressed_by(incident, channel.name, history, config)
            if earlier:
                outcome = {"status": "suppressed", "suppressed_by": earlier, "attempts": 0}
            elif dry_run:
                outcome = {"status": "sent", "attempts": 0}
            else:
                delivery = deliver(channel, content, config)
                outcome = {
                    "status": delivery.status,
                    "attempts": delivery.attempts,
                    "error": delivery.error,
                    "payload": delivery.payload,
                }
                if delivery.status == "failed":
                    print(
                        f"kpi-trust alert: delivery failed after {delivery.attempts} attempt(s) "
                        f"to {channel.name}: {delivery.error} ({content['title']})",
                        file=sys.stderr,
                    )
            if dry_run:
                state = f"suppressed (continues {earlier})" if earlier else "would send"
                print(f"{state} -> {channel.name}: {content['title']}")
                for line in content["lines"]:
                    print(f"    {line}")
            else:
                _record(con, alert_id, channel, incident, content, outcome)
            counts["would_send" if dry_run and not earlier else outcome["status"]] += 1
            history.append(
                {
                    "alert_id": alert_id,
                    "incident_id": incident.incident_id,
                    "channel": channel.name,
                    "dataset": incident.dataset,
                    "cause": incident.cause,
                    "status": outcome["status"],
                    "last_date": incident.last_date,
                }
            )
    summary = {"incidents": len(incidents), "alerting_rows": int(len(rows)), **counts}
    prefix = "kpi-trust alert (dry run)" if dry_run else "kpi-trust alert"
    print(f"{prefix}: {json.dumps(summary)}", file=sys.stderr)
    return 1 if counts["failed"] else 0


def run_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from kpi_trust.serve.api import create_app

    if args.db:
        os.environ["KPI_TRUST_DB"] = str(args.db)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0
