"""Which KPI-days page someone, grouped into incidents: config, selection, grouping, messages.

A page is worth sending when a KPI-day cannot be trusted (``trust_level = 'low'``) or when it
moved with a ``data_incident`` or ``real_movement`` verdict. One broken feed lowers trust on
every KPI and slice it feeds, so rows are grouped into **incidents**: the same dataset, the same
cause and consecutive days are one incident, whatever the KPIs and slices. The cause of a
low-trust row is the category (validity, completeness, timeliness, ...) of the evidence item that
costs it the most points; every real movement of a dataset on consecutive days is one cause
(``real_movement``): a root cause differs between a total and its slices, so it is reported,
not used to split. Delivery and the ``alerts_sent`` record are in ``channels`` / ``command``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import yaml

from kpi_trust.serve.warehouse import has_table, root_cause_sql, table_columns

SEVERITIES = ("info", "warning", "critical")
CHANNEL_TYPES = ("slack", "webhook", "smtp")
ALERT_VERDICTS = ("data_incident", "real_movement", "repaired_incident")
DEFAULT_CONFIG_FILE = "alerts.yml"
# Env vars that configure alerts without a file (docs/serving.md); any of them switches alerts on.
ENV_CONFIG = "KPI_TRUST_ALERTS_CONFIG"
ENV_SLACK = "KPI_TRUST_SLACK_WEBHOOK_URL"
ENV_WEBHOOK = "KPI_TRUST_ALERT_WEBHOOK_URL"
ENV_SMTP_HOST = "KPI_TRUST_SMTP_HOST"
ENV_EMAIL_TO = "KPI_TRUST_ALERT_EMAIL_TO"


class ConfigError(ValueError):
    """The alert configuration is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Channel:
    """One destination. Secrets (URLs, passwords) are names of env vars, never values."""

    name: str
    type: str
    url_env: str | None = None
    owners: tuple[str, ...] = ()  # empty: every owner's incidents
    min_severity: str = "info"
    host: str | None = None
    port: int = 25
    sender: str = "kpi-trust@localhost"
    to: tuple[str, ...] = ()
    username_env: str | None = None
    password_env: str | None = None
    starttls: bool = False

    def url(self) -> str:
        value = os.environ.get(self.url_env or "", "")
        if not value:
            raise ConfigError(f"channel '{self.name}': env var {self.url_env} is not set")
        return value

    def accepts(self, incident: Incident) -> bool:
        """Routing: the channel takes incidents of its owners at or above its severity."""
        if SEVERITIES.index(incident.severity) < SEVERITIES.index(self.min_severity):
            return False
        return not self.owners or "*" in self.owners or bool(set(self.owners) & incident.owners)


@dataclass(frozen=True)
class AlertConfig:
    """What pages, how rows group, and where alerts go (docs/serving.md has every key)."""

    channels: tuple[Channel, ...]
    report_url: str = "http://127.0.0.1:8000/dashboard"
    # A slice-day with fewer rows behind it (its largest KPI denominator, else numerator) never
    # pages: at n = 100 a rate's 95 % interval is already +-10 points, so below that a swing
    # of one slice is mostly sampling noise. The trust score's own floor
    # (insufficient_data) still applies on top.
    min_volume: float = 100.0
    # A same-dataset, same-cause incident starting within this many hours after the end of one
    # already alerted is the same problem flapping: recorded as suppressed, not sent. Off by
    # default: consecutive days are already one incident (what a per-test 24 h suppression does
    # elsewhere), and at daily grain a clean day between two problems is evidence of two. 24 h
    # treats a one-day gap as flapping, for sources known to flap.
    suppression_hours: float = 0.0
    # Days apart that still count as consecutive (1: the next day).
    max_gap_days: int = 1
    # trust_score at or below this makes an incident critical: a defect at health 0 costs 60
    # points (docs/trust.md), so <= 40 means at least one defect failed outright.
    critical_trust_below: float = 40.0
    low_trust: bool = True
    verdicts: tuple[str, ...] = ALERT_VERDICTS
    # A real movement of a single slice pages only at or above this detector severity (a total's
    # always pages). Each daily series alarms about once a year by chance (docs/anomalies.md,
    # "Thresholds"), so across hundreds of slice series a few info moves (robust |z| 3-5) a
    # week are noise; 'info' pages them all.
    slice_movement_min_severity: str = "warning"
    # Only incidents whose last day is within this many days of the warehouse's last day
    # (None: all history, as on the first run over the default data).
    lookback_days: int | None = None
    attempts: int = 3
    backoff_seconds: float = 1.0
    timeout_seconds: float = 10.0


@dataclass
class Incident:
    """One group of alerting rows: same dataset and cause, consecutive days."""

    dataset: str
    cause: str
    first_date: date
    last_date: date
    rows: pd.DataFrame
    owners: set[str] = field(default_factory=set)
    severity: str = "info"

    @property
    def incident_id(self) -> str:
        """Stable across re-runs and across later days joining it (its start does not move)."""
        key = f"{self.dataset}|{self.cause}|{self.first_date.isoformat()}"
        return hashlib.sha1(key.encode()).hexdigest()[:16]


def _channel(raw: dict, where: str) -> Channel:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: a channel must be a mapping")
    kind = raw.get("type")
    if kind not in CHANNEL_TYPES:
        raise ConfigError(f"{where}: type must be one of {', '.join(CHANNEL_TYPES)}, got {kind!r}")
    for secret in ("url", "password", "username"):
        if secret in raw:
            raise ConfigError(
                f"{where}: '{secret}' is a secret: give the name of an env var as '{secret}_env'"
            )
    name = str(raw.get("name") or kind)
    severity = raw.get("min_severity", "info")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: min_severity must be one of {', '.join(SEVERITIES)}")
    owners = raw.get("owners") or ()
    owners = (owners,) if isinstance(owners, str) else tuple(str(o) for o in owners)
    if kind in ("slack", "webhook") and not raw.get("url_env"):
        raise ConfigError(f"{where}: a {kind} channel needs url_env (the env var with its URL)")
    to = raw.get("to") or ()
    to = (to,) if isinstance(to, str) else tuple(str(t) for t in to)
    if kind == "smtp" and (not raw.get("host") or not to):
        raise ConfigError(f"{where}: an smtp channel needs host and to")
    try:
        port = int(raw.get("port", 25))
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}: port must be a number") from error
    return Channel(
        name=name,
        type=kind,
        url_env=raw.get("url_env"),
        owners=owners,
        min_severity=severity,
        host=raw.get("host"),
        port=port,
        sender=str(raw.get("from", "kpi-trust@localhost")),
        to=to,
        username_env=raw.get("username_env"),
        password_env=raw.get("password_env"),
        starttls=bool(raw.get("starttls", False)),
    )


def _env_port() -> int:
    text = os.environ.get("KPI_TRUST_SMTP_PORT", "25")
    try:
        return int(text)
    except ValueError as error:
        raise ConfigError(f"env: KPI_TRUST_SMTP_PORT must be a number, got {text!r}") from error


def _env_channels() -> list[Channel]:
    """Channels configured by env vars alone (no config file)."""
    channels = []
    if os.environ.get(ENV_SLACK):
        channels.append(Channel(name="slack", type="slack", url_env=ENV_SLACK))
    if os.environ.get(ENV_WEBHOOK):
        channels.append(Channel(name="webhook", type="webhook", url_env=ENV_WEBHOOK))
    if os.environ.get(ENV_SMTP_HOST) and os.environ.get(ENV_EMAIL_TO):
        channels.append(
            Channel(
                name="email",
                type="smtp",
                host=os.environ[ENV_SMTP_HOST],
                port=_env_port(),
                to=tuple(a.strip() for a in os.environ[ENV_EMAIL_TO].split(",") if a.strip()),
                sender=os.environ.get("KPI_TRUST_ALERT_EMAIL_FROM", "kpi-trust@localhost"),
                username_env="KPI_TRUST_SMTP_USER"
                if os.environ.get("KPI_TRUST_SMTP_USER")
                else None,
                password_env="KPI_TRUST_SMTP_PASSWORD"
                if os.environ.get("KPI_TRUST_SMTP_PASSWORD")
                else None,
            )
        )
    return channels


NUMBER_KEYS = {
    "min_volume": float,
    "suppression_hours": float,
    "max_gap_days": int,
    "critical_trust_below": float,
    "attempts": int,
    "backoff_seconds": float,
    "timeout_seconds": float,
}


def config_path(path: str | os.PathLike | None) -> Path | None:
    """The config file in use: the argument, else KPI_TRUST_ALERTS_CONFIG, else ./alerts.yml."""
    if path:
        return Path(path)
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.exists() else None


def load_config(path: str | os.PathLike | None = None) -> AlertConfig:
    """The alert config from YAML (plus env-var channels), or from env vars alone."""
    file = config_path(path)
    raw: dict = {}
    if file is not None:
        if not file.exists():
            raise ConfigError(f"{file}: no such file")
        try:
            raw = yaml.safe_load(file.read_text()) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{file}: not valid YAML ({error})") from error
        if not isinstance(raw, dict):
            raise ConfigError(f"{file}: the top level must be a mapping")
    where = str(file) if file else "env"
    known = {
        *NUMBER_KEYS,
        "channels",
        "report_url",
        "low_trust",
        "verdicts",
        "lookback_days",
        "slice_movement_min_severity",
    }
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    channels = [
        _channel(item, f"{where}: channels[{i}]")
        for i, item in enumerate(raw.get("channels") or [])
    ]
    # env-var channels add to the file's unless the file already uses that variable (or SMTP)
    used = {c.url_env for c in channels} | {"smtp" for c in channels if c.type == "smtp"}
    channels += [c for c in _env_channels() if (c.url_env or "smtp") not in used]
    if not channels:
        raise ConfigError(
            f"{where}: no channel configured (set channels in the file, or {ENV_SLACK}, "
            f"{ENV_WEBHOOK} or {ENV_SMTP_HOST} + {ENV_EMAIL_TO})"
        )
    if len({c.name for c in channels}) != len(channels):
        raise ConfigError(f"{where}: channel names must be unique")
    values = {}
    for key, kind in NUMBER_KEYS.items():
        if key in raw:
            try:
                values[key] = kind(raw[key])
            except (TypeError, ValueError) as error:
                raise ConfigError(f"{where}: {key} must be a number, got {raw[key]!r}") from error
            if values[key] < 0:
                raise ConfigError(f"{where}: {key} must not be negative")
    verdicts = tuple(raw.get("verdicts", ALERT_VERDICTS))
    known = ("data_incident", "real_movement", "repaired_incident", "uncertain")
    bad = [v for v in verdicts if v not in known]
    if bad:
        raise ConfigError(f"{where}: verdicts: unknown verdict(s) {', '.join(map(str, bad))}")
    lookback = raw.get("lookback_days")
    slice_severity = str(
        raw.get("slice_movement_min_severity", AlertConfig.slice_movement_min_severity)
    )
    if slice_severity not in SEVERITIES:
        raise ConfigError(
            f"{where}: slice_movement_min_severity must be one of {', '.join(SEVERITIES)}"
        )
    return AlertConfig(
        channels=tuple(channels),
        report_url=str(
            raw.get("report_url", os.environ.get("KPI_TRUST_REPORT_URL", AlertConfig.report_url))
        ),
        low_trust=bool(raw.get("low_trust", True)),
        verdicts=verdicts,
        lookback_days=int(lookback) if lookback is not None else None,
        slice_movement_min_severity=slice_severity,
        **values,
    )


def alerts_configured(path: str | os.PathLike | None = None) -> bool:
    """True when a config file or an alert env var exists (`make run` then runs the alerts)."""
    return config_path(path) is not None or bool(_env_channels())


def _owner_sql(con) -> str:
    """Per-KPI owner from kpi_definitions.owner when the column exists (else null)."""
    if has_table(con, "kpi_definitions") and "owner" in table_columns(con, "kpi_definitions"):
        return "select kpi_name, owner from main.kpi_definitions"
    return "select kpi_name, cast(null as varchar) as owner from main.kpi_definitions"


def candidate_rows(con, config: AlertConfig) -> pd.DataFrame:
    """Every KPI-day-slice that would page, with what moved, trust, verdict, cause and volume."""
    root = root_cause_sql(con)
    root_cte = root or (
        "select null::varchar as kpi_name, null::date as kpi_date, null::varchar as "
        "dimension_name, null::varchar as dimension_value, null::varchar as root_cause, "
        "null::double as root_cause_share, null::varchar as root_cause_sentence where false"
    )
    verdict_list = ", ".join(f"'{v}'" for v in config.verdicts) or "''"
    slice_floor = SEVERITIES.index(config.slice_movement_min_severity)
    slice_severities = ", ".join(f"'{s}'" for s in SEVERITIES[slice_floor:])
    low_trust = "trust.trust_level = 'low'" if config.low_trust else "false"
    sql = f"""
    with top_evidence as (
        select kpi_name, dimension_name, dimension_value, kpi_date, evidence_category
        from main.kpi_trust_evidence_daily
        where is_counted and penalty > 0
        qualify row_number() over (
            partition by kpi_name, dimension_name, dimension_value, kpi_date
            order by penalty desc, evidence_name
        ) = 1
    ),
    volume as (
        select dataset, dimension_name, dimension_value, kpi_date,
            coalesce(max(denominator), max(numerator)) as volume
        from main.kpi_daily
        group by all
    ),
    roots as ({root_cte}),
    owners as ({_owner_sql(con)}),
    expectations as (
        select kpi_name, dimension_name, dimension_value, kpi_date, expected
        from main.kpi_anomalies_daily
        where value_basis = 'adjusted'
    ),
    episodes as (
        -- the last day of each alarm's episode: the day before the series' next day that is
        -- not 'ongoing' (a persisting shift is one incident, not one per re-alarm)
        select kpi_name, dimension_name, dimension_value, value_basis, kpi_date,
            cast(coalesce(
                min(case when status <> 'ongoing' then kpi_date end) over (
                    partition by kpi_name, dimension_name, dimension_value, value_basis
                    order by kpi_date rows between 1 following and unbounded following
                ) - interval 1 day,
                max(kpi_date) over (
                    partition by kpi_name, dimension_name, dimension_value, value_basis
                )
            ) as date) as episode_end
        from main.kpi_anomalies_daily
    ),
    verdicts as (
        select v.kpi_name, v.dimension_name, v.dimension_value, v.kpi_date, v.verdict,
            v.severity, v.direction, v.reasons, v.expected, v.value_reported, v.moved_basis,
            e.episode_end
        from main.kpi_verdicts_daily as v
        left join episodes as e
            on e.kpi_name = v.kpi_name and e.dimension_name = v.dimension_name
            and e.dimension_value = v.dimension_value and e.kpi_date = v.kpi_date
            and e.value_basis = v.moved_basis
        where v.verdict in ({verdict_list})
            and (v.verdict <> 'real_movement' or v.dimension_name = 'all'
                or v.severity in ({slice_severities}))
    )
    select trust.kpi_name, trust.dataset, trust.dimension_name, trust.dimension_value,
        trust.unit, trust.kpi_date, trust.value, trust.trust_score, trust.trust_level,
        trust.top_reasons, verdicts.verdict, verdicts.severity as verdict_severity,
        verdicts.direction, verdicts.reasons as verdict_sentence, verdicts.episode_end,
        coalesce(verdicts.expected, expectations.expected) as expected,
        top_evidence.evidence_category, volume.volume, owners.owner,
        roots.root_cause, roots.root_cause_share, roots.root_cause_sentence
    from main.kpi_trust_daily as trust
    left join verdicts using (kpi_name, dimension_name, dimension_value, kpi_date)
    left join expectations using (kpi_name, dimension_name, dimension_value, kpi_date)
    left join top_evidence using (kpi_name, dimension_name, dimension_value, kpi_date)
    left join roots using (kpi_name, dimension_name, dimension_value, kpi_date)
    left join owners using (kpi_name)
    left join volume
        on volume.dataset = trust.dataset
        and volume.dimension_name = trust.dimension_name
        and volume.dimension_value = trust.dimension_value
        and volume.kpi_date = trust.kpi_date
    where ({low_trust} or verdicts.verdict is not null)
        and coalesce(volume.volume, 0) >= ?
    order by trust.dataset, trust.kpi_date, trust.kpi_name, trust.dimension_name,
        trust.dimension_value
    """
    rows = con.execute(sql, [config.min_volume]).df()
    rows["kpi_date"] = pd.to_datetime(rows["kpi_date"]).dt.date
    rows["episode_end"] = pd.to_datetime(rows["episode_end"]).dt.date
    rows["cause"] = [
        cause_of(v, c) for v, c in zip(rows["verdict"], rows["evidence_category"], strict=True)
    ]
    return rows


def cause_of(verdict: object, evidence_category: object) -> str:
    """The grouping cause: a movement verdict, else the category of the costliest evidence.

    ``data_incident`` rows (and low-trust rows without a verdict) are grouped by what is wrong
    with the data; other verdicts (``real_movement``, and ``uncertain`` / ``repaired_incident``
    when configured to page) by the verdict itself.
    """
    if isinstance(verdict, str) and verdict != "data_incident":
        return verdict
    if isinstance(evidence_category, str) and evidence_category:
        return f"data:{evidence_category}"
    return "data:unexplained"


def severity_of(rows: pd.DataFrame, config: AlertConfig) -> str:
    """Critical, warning or info: the worst of the detector's severity and the trust score.
    An incident of repaired moves only is info: `value` is right, the source needs fixing."""
    if (
        set(rows["verdict"].dropna()) == {"repaired_incident"}
        and not (rows["trust_level"] == "low").any()
    ):
        return "info"
    worst = 0
    for sev in rows["verdict_severity"].dropna():
        if sev in SEVERITIES:
            worst = max(worst, SEVERITIES.index(sev))
    scores = rows.loc[rows["trust_level"] == "low", "trust_score"].dropna()
    if len(scores):
        worst = max(worst, 1)
        if scores.min() <= config.critical_trust_below:
            worst = 2
    return SEVERITIES[worst]


def join_data_causes(rows: pd.DataFrame, max_gap_days: int = 1) -> pd.DataFrame:
    """A move on or next to a dataset-day whose data is broken belongs to that data incident.

    A ``real_movement`` or ``repaired_incident`` row on a day when the same dataset also has
    rows with a data cause (low trust, ``data_incident``), or at most ``max_gap_days`` from
    such a day, takes the nearest such day's commonest data cause (the same day first, then
    the day before): the move is read in the data incident's alert, not paged as a second
    incident of the same broken feed. A repaired defect is a data defect too: a run of
    ``repaired_incident`` days joins such a day whole, day by day outward (bots removed on the
    first day of a spike, not all of them on the third); a ``real_movement`` joins only
    within ``max_gap_days``, so a business move beside a broken day keeps its own alert.
    """
    if rows.empty:
        return rows
    out = rows.copy()
    moves = ~out["cause"].str.startswith("data:")
    out, moves = _take_nearest_data_cause(out, moves, max_gap_days)
    chained = moves & out["verdict"].eq("repaired_incident")
    while chained.any():
        out, left = _take_nearest_data_cause(out, chained, 1)
        if left.sum() == chained.sum():
            break
        chained = left
    return out


def _take_nearest_data_cause(out: pd.DataFrame, moves: pd.Series, max_gap_days: int):
    """Give each row of ``moves`` the commonest data cause of its dataset's nearest broken day
    within ``max_gap_days``; returns the rows and the moves left without one."""
    data_rows = out[out["cause"].str.startswith("data:")]
    if data_rows.empty:
        return out, moves
    day_cause = (
        data_rows.groupby(["dataset", "kpi_date"])["cause"]
        .agg(lambda causes: causes.value_counts().sort_index().idxmax())
        .to_dict()
    )
    moves = moves.copy()
    # nearest broken day first: the same day, then the day before, then the day after, ...
    for offset in sorted(range(-max_gap_days, max_gap_days + 1), key=lambda d: (abs(d), -d)):
        keys = zip(out["dataset"], out["kpi_date"] - timedelta(days=offset), strict=True)
        found = pd.Series([day_cause.get(key) for key in keys], index=out.index)
        take = moves & found.notna()
        out.loc[take, "cause"] = found[take]
        moves &= ~take
    return out, moves


def covered_days(rows: pd.DataFrame) -> list[date]:
    """The days a group of rows covers: each row's day, and for a move (not a data cause) the
    days its anomaly episode stays 'ongoing' after it (``episode_end``), so a shift that persists
    and re-alarms a few days later is one incident. Data incidents end with their low-trust or
    data_incident days: a detector's episode outlasts the broken data it flagged."""
    days: set[date] = set(rows["kpi_date"])
    if "episode_end" in rows:
        moves = rows[~rows["cause"].str.startswith("data:")]
        for start, end in zip(moves["kpi_date"], moves["episode_end"], strict=True):
            if isinstance(end, date) and not pd.isna(end) and end > start:
                days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return sorted(days)


def merge_overlapping(incidents: list[Incident], config: AlertConfig) -> list[Incident]:
    """Data incidents of one dataset with different causes that share a day are one incident:
    one bad deploy breaks several checks at once (invalid statuses and invalid latencies).
    The cause with the most rows names it; the rest are in its rows."""
    merged: list[Incident] = []
    for incident in sorted(incidents, key=lambda i: (i.dataset, i.first_date, -len(i.rows))):
        target = next(
            (
                m
                for m in merged
                if m.dataset == incident.dataset
                and m.cause.startswith("data:")
                and incident.cause.startswith("data:")
                and set(m.rows["kpi_date"]) & set(incident.rows["kpi_date"])
            ),
            None,
        )
        if target is None:
            merged.append(incident)
            continue
        rows = pd.concat([target.rows, incident.rows])
        main = rows["cause"].value_counts().sort_index().idxmax()
        first = min(target.first_date, incident.first_date)
        merged[merged.index(target)] = Incident(
            dataset=target.dataset,
            cause=main,
            first_date=first,
            last_date=max(target.last_date, incident.last_date),
            rows=rows,
            owners=target.owners | incident.owners,
            severity=severity_of(rows, config),
        )
    return merged


def group_incidents(
    rows: pd.DataFrame, config: AlertConfig, default_owner: str = "unowned"
) -> list[Incident]:
    """Rows of one dataset and cause on days at most ``max_gap_days`` apart are one incident
    (after ``join_data_causes``; then ``merge_overlapping``)."""
    incidents: list[Incident] = []
    if rows.empty:
        return incidents
    rows = join_data_causes(rows, max(config.max_gap_days, 1))
    for (dataset, cause), group in rows.groupby(["dataset", "cause"], sort=True):
        runs: list[list[date]] = []
        for day in covered_days(group):
            if runs and (day - runs[-1][-1]).days <= max(config.max_gap_days, 1):
                runs[-1].append(day)
            else:
                runs.append([day])
        for run in runs:
            part = group[group["kpi_date"].isin(run)].copy()
            if part.empty:
                continue
            owners = {o if isinstance(o, str) and o else default_owner for o in part["owner"]}
            incidents.append(
                Incident(
                    dataset=dataset,
                    cause=cause,
                    first_date=min(part["kpi_date"]),
                    last_date=max(part["kpi_date"]),
                    rows=part,
                    owners=owners,
                    severity=severity_of(part, config),
                )
            )
    incidents = merge_overlapping(incidents, config)
    if config.lookback_days is not None and incidents:
        newest = max(i.last_date for i in incidents)
        horizon = newest - timedelta(days=config.lookback_days)
        incidents = [i for i in incidents if i.last_date >= horizon]
    return sorted(incidents, key=lambda i: (i.first_date, i.dataset, i.cause))


def headline_row(incident: Incident) -> pd.Series:
    """The row that says it best: a total first, then the lowest trust, then the largest move."""
    rows = incident.rows.assign(
        _is_total=incident.rows["dimension_name"] == "all",
        _has_verdict=incident.rows["verdict"].notna(),
        _move=(incident.rows["value"] / incident.rows["expected"] - 1).abs().fillna(0),
    )
    ordered = rows.sort_values(
        ["_is_total", "_has_verdict", "trust_score", "_move"],
        ascending=[False, False, True, False],
    )
    return ordered.iloc[0]


def _slice(row: pd.Series) -> str:
    if row["dimension_name"] == "all":
        return "total"
    return f"{row['dimension_name']}={row['dimension_value']}"


def _number(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    number = float(value)
    if abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:.4g}"


def moved_text(row: pd.Series) -> str:
    """What moved and by how much, e.g. 'api_success_rate (total) 0.82 vs 0.94 expected (-13 %)'."""
    text = f"{row['kpi_name']} ({_slice(row)}) = {_number(row['value'])}"
    expected = row.get("expected")
    if expected is not None and not pd.isna(expected):
        text += f" vs {_number(expected)} expected"
        if float(expected) != 0 and not pd.isna(row["value"]):
            text += f" ({(float(row['value']) / float(expected) - 1) * 100:+.0f} %)"
    return text


def report_link(config: AlertConfig, row: pd.Series) -> str:
    query = urlencode(
        {
            "kpi": row["kpi_name"],
            "date": str(row["kpi_date"]),
            "dimension_name": row["dimension_name"],
            "dimension_value": row["dimension_value"],
        }
    )
    return f"{config.report_url}?{query}"


def message(incident: Incident, config: AlertConfig) -> dict:
    """The alert's content, channel-independent: title, lines, link and facts."""
    head = headline_row(incident)
    days = (
        str(incident.first_date)
        if incident.first_date == incident.last_date
        else f"{incident.first_date} to {incident.last_date}"
    )
    kpis = sorted(set(incident.rows["kpi_name"]))
    slices = incident.rows[["dimension_name", "dimension_value"]].drop_duplicates()
    cause = incident.cause.removeprefix("data:")
    title = (
        f"[{incident.severity.upper()}] {incident.dataset}: "
        + (f"{cause} problem" if incident.cause.startswith("data:") else cause.replace("_", " "))
        + f" on {days} ({len(kpis)} KPI(s), {len(slices)} slice(s))"
    )
    lines = [f"What moved: {moved_text(head)}"]
    reasons = head["top_reasons"] if isinstance(head["top_reasons"], str) else "no penalties"
    lines.append(f"Trust: {_number(head['trust_score'])} ({head['trust_level']}): {reasons}")
    if head["verdict"] == "repaired_incident":
        lines.append(
            f"Verdict: repaired_incident: {head['verdict_sentence']}. Quote `value`, not "
            "`value_reported`; the source still needs fixing"
        )
    elif isinstance(head["verdict"], str):
        lines.append(f"Verdict: {head['verdict']}: {head['verdict_sentence']}")
    else:
        lines.append("Verdict: none (no anomaly flagged; the data behind it is not trusted)")
    roots = incident.rows.dropna(subset=["root_cause"])
    if len(roots):
        top = roots.sort_values("root_cause_share", ascending=False, na_position="last").iloc[0]
        share = top["root_cause_share"]
        lines.append(
            f"Top root cause: {top['root_cause']}"
            + (f" ({float(share) * 100:.0f} % explained)" if not pd.isna(share) else "")
        )
    else:
        lines.append("Top root cause: not computed (no kpi_root_causes table)")
    rest = incident.rows.drop(index=head.name)
    rest = rest.sort_values(["trust_score", "kpi_date"]).drop_duplicates(
        ["kpi_name", "dimension_name", "dimension_value"]
    )
    others = [f"{moved_text(r)} on {r['kpi_date']}" for _, r in rest.head(4).iterrows()]
    if others:
        more = len(rest) - len(others)
        lines.append(
            "Also: " + "; ".join(others) + (f"; and {more} more KPI-slices" if more > 0 else "")
        )
    return {
        "incident_id": incident.incident_id,
        "title": title,
        "severity": incident.severity,
        "dataset": incident.dataset,
        "cause": incident.cause,
        "first_date": str(incident.first_date),
        "last_date": str(incident.last_date),
        "kpis": kpis,
        "owners": sorted(incident.owners),
        "n_rows": int(len(incident.rows)),
        "lines": lines,
        "link": report_link(config, head),
    }


def slack_payload(content: dict) -> dict:
    """Slack-compatible: ``text`` for notifications and clients without blocks, then blocks."""
    body = "\n".join(f"• {line}" for line in content["lines"])
    return {
        "text": f"{content['title']}\n{body}\n{content['link']}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": content["title"][:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"<{content['link']}|Open the report> · incident "
                        f"{content['incident_id']} · owners {', '.join(content['owners'])}",
                    }
                ],
            },
        ],
    }


def webhook_payload(content: dict) -> dict:
    """The generic JSON webhook: the message's fields as they are."""
    return {"type": "kpi_trust.incident", **content}


def email_text(content: dict) -> tuple[str, str]:
    body = "\n".join(content["lines"]) + f"\n\nReport: {content['link']}\n"
    body += f"Incident {content['incident_id']}, owners: {', '.join(content['owners'])}\n"
    return content["title"], body


def suppressed_by(
    incident: Incident, channel: str, history: Iterable[dict], config: AlertConfig
) -> str | None:
    """The id of an earlier alert on this channel this incident continues, if any."""
    start = datetime.combine(incident.first_date, datetime.min.time())
    window = timedelta(hours=config.suppression_hours)
    for past in history:
        if past["channel"] != channel or past["status"] != "sent":
            continue
        if (past["dataset"], past["cause"]) != (incident.dataset, incident.cause):
            continue
        if past["incident_id"] == incident.incident_id:
            continue
        ended = datetime.combine(past["last_date"], datetime.min.time()) + timedelta(days=1)
        if ended <= start and start - ended <= window and window > timedelta(0):
            return past["incident_id"]
    return None
