"""The game-event log: a population of heterogeneous players simulated day by day.

Players install over the period (plus a 60-day pre-history that seeds the existing base), come
back with a player-specific probability until they churn (many never return after day one, so D1
retention is meaningful), play more at weekends and in their local evening, complete levels and
sometimes buy (a minority of payers, a few whales). Ids are integers until write time.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from . import common, vocab
from .common import HOUR_US, Chunk
from .config import GeneratorConfig
from .schedule import DAY_US, Incident, slice_mask, stall_cutoff_hour

PREHISTORY_DAYS = 120
_MAX_SESSIONS = 12  # real players never exceed this per day; bots play dozens
_MAX_LEVELS_PER_SESSION = 6
_BOT_SESSIONS = (20, 48)
_EPOCH_DAYS = date(1970, 1, 1).toordinal()

EVENT_SESSION_START, EVENT_LEVEL, EVENT_PURCHASE, EVENT_RENAMED, EVENT_UNPARSEABLE = range(5)

SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("user_id", pa.string()),
        ("session_id", pa.string()),
        ("event_name", pa.dictionary(pa.int32(), pa.string())),
        ("event_at", pa.timestamp("us")),
        ("platform", pa.dictionary(pa.int32(), pa.string())),
        ("country", pa.dictionary(pa.int32(), pa.string())),
        ("acquisition_channel", pa.dictionary(pa.int32(), pa.string())),
        ("install_date", pa.date32()),
        ("level", pa.int32()),
        ("revenue_usd", pa.float64()),
        ("ingested_at", pa.timestamp("us")),
        ("batch_id", pa.dictionary(pa.int32(), pa.string())),
    ]
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def _within_group_count(group: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """Running count of `flag` inside runs of equal `group` values (inclusive)."""
    cum = np.cumsum(flag, dtype=np.int64)
    if not len(group):
        return cum
    change = np.r_[True, group[1:] != group[:-1]]
    starts = np.flatnonzero(change)
    before = (cum - flag)[starts]
    return cum - before[np.cumsum(change) - 1]


class GameLog:
    """Generates the game-event log one UTC day at a time (see module docstring)."""

    def __init__(
        self, cfg: GeneratorConfig, rng: np.random.Generator, incidents: list[Incident]
    ) -> None:
        self.cfg = cfg
        self.rng = rng
        self.start_us = common.day_start_us(cfg.start_date, 0)
        self.batches = common.BatchIds("game", cfg.start_date, cfg.days)
        self._build_players(incidents)
        self.next_bot = self.n_players
        self.next_session = 0
        self.next_event = 0
        self.carry: Chunk = {}

    def _dow(self, day: np.ndarray | int) -> np.ndarray:
        return (self.cfg.start_date.toordinal() + np.asarray(day) - 1) % 7

    def _build_players(self, incidents: list[Incident]) -> None:
        cfg, rng = self.cfg, self.rng
        days = np.arange(-PREHISTORY_DAYS, cfg.days)
        weight = vocab.GAME_WEEKLY[self._dow(days)]
        install = rng.choice(days, size=cfg.players, p=weight / weight.sum())
        channel = rng.choice(len(vocab.CHANNELS), size=cfg.players, p=vocab.CHANNEL_WEIGHTS)
        extra_day, extra_channel = [], []
        for inc in incidents:
            if inc.incident_type != "campaign_spike":
                continue
            c = vocab.CHANNEL_NAMES.index(inc.slice_value)
            for d in range(inc.start_day, inc.end_day):
                expected = cfg.players * weight[d + PREHISTORY_DAYS] / weight.sum()
                n = rng.poisson((inc.magnitude - 1.0) * expected * vocab.CHANNEL_WEIGHTS[c])
                extra_day.append(np.full(n, d))
                extra_channel.append(np.full(n, c))
        install = np.concatenate([install, *extra_day]).astype(np.int64)
        channel = np.concatenate([channel, *extra_channel]).astype(np.int64)
        order = np.argsort(install, kind="stable")  # user ids follow install order
        install, channel = install[order], channel[order]
        n = len(install)
        self.n_players = n
        self.install_day = install
        self.channel = channel
        self.platform = rng.choice(len(vocab.PLATFORMS), size=n, p=vocab.PLATFORM_WEIGHTS)
        self.country = rng.choice(len(vocab.COUNTRIES), size=n, p=vocab.COUNTRY_WEIGHTS)
        z = rng.standard_normal(n)  # engagement
        self.activity = _sigmoid(0.35 + 0.9 * z)
        churn0 = rng.random(n) < _sigmoid(_logit(vocab.CHANNEL_CHURN0[channel]) - 0.6 * z)
        tenure = np.exp(rng.normal(np.log(14.0), 1.0, n) + 0.3 * z)
        self.lifetime = np.where(churn0, 1, 2 + np.floor(tenure)).astype(np.int64)
        self.extra_sessions = 0.4 * np.exp(0.45 * z + rng.normal(0.0, 0.3, n))
        self.levels_per_session = 1.0 * np.exp(rng.normal(0.0, 0.3, n))
        payer = rng.random(n) < _sigmoid(-2.7 + 0.7 * z + vocab.COUNTRY_PAYER_LOGIT[self.country])
        self.whale = payer & (rng.random(n) < 0.06)
        self.buy_prob = np.where(
            self.whale, rng.beta(6, 10, n), np.where(payer, rng.beta(2, 10, n), 0.0)
        )
        # Progress made before the period starts (pre-history players are mid-game).
        played = np.clip(np.minimum(self.lifetime, -install), 0, None) * self.activity
        self.level = rng.poisson(played * (1 + self.extra_sessions) * self.levels_per_session)

    # -- one day -------------------------------------------------------------------------------
    def _sessions(
        self, n_sessions: np.ndarray, country: np.ndarray, diurnal: bool, day_start: int
    ) -> np.ndarray:
        """Start times of each player's sessions, sorted within player (players in order)."""
        rng = self.rng
        total = int(n_sessions.sum())
        rank = np.repeat(np.arange(len(n_sessions)), n_sessions)
        if diurnal:
            p = vocab.GAME_LOCAL_HOURLY / vocab.GAME_LOCAL_HOURLY.sum()
            local = rng.choice(24, size=total, p=p)
            utc = (local - vocab.COUNTRY_UTC_OFFSET[country[rank]]) % 24
            offset = utc * HOUR_US + rng.integers(0, HOUR_US, total)
        else:
            offset = rng.integers(0, DAY_US - 3 * HOUR_US, total)  # bots stop before midnight
        offset = np.sort(rank * DAY_US + offset) - rank * DAY_US
        return day_start + offset

    def _events(
        self, sess_time: np.ndarray, n_levels: np.ndarray, n_buys: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expand sessions to events: start, level completes, then purchases, minutes apart."""
        rng = self.rng
        count = 1 + n_levels + n_buys
        ev_session = np.repeat(np.arange(len(count)), count)
        first = np.cumsum(count) - count
        pos = np.arange(len(ev_session)) - first[ev_session]
        etype = np.where(pos == 0, EVENT_SESSION_START, EVENT_LEVEL)
        etype = np.where(pos > n_levels[ev_session], EVENT_PURCHASE, etype).astype(np.int8)
        gap = np.where(pos == 0, 0, (20.0 + rng.exponential(150.0, len(pos))) * 1e6).astype(
            np.int64
        )
        cum = np.cumsum(gap)
        offset = cum - cum[first][ev_session]
        return ev_session, etype, sess_time[ev_session] + offset

    def day_chunk(self, day: int, incidents: list[Incident]) -> Chunk:
        rng = self.rng
        today = [i for i in incidents if i.active(day)]
        weekly = vocab.GAME_WEEKLY[int(self._dow(day))]
        day_start = self.start_us + day * DAY_US

        alive = np.flatnonzero((self.install_day <= day) & (day < self.install_day + self.lifetime))
        since = day - self.install_day[alive]
        p_active = np.where(since == 0, 1.0, np.minimum(self.activity[alive] * weekly, 0.98))
        active = alive[rng.random(len(alive)) < p_active]
        n_sess = 1 + np.minimum(
            rng.poisson(self.extra_sessions[active] * weekly), _MAX_SESSIONS - 1
        )
        sess_player = np.repeat(active, n_sess)
        sess_time = self._sessions(n_sess, self.country[active], True, day_start)
        buy_prob = self.buy_prob[sess_player]
        for inc in today:
            if inc.incident_type == "conversion_drop":
                buy_prob = buy_prob * inc.magnitude
        n_levels = np.minimum(
            rng.poisson(self.levels_per_session[sess_player]), _MAX_LEVELS_PER_SESSION
        )
        n_buys = (rng.random(len(sess_player)) < buy_prob).astype(np.int64)
        ev_session, etype, ev_time = self._events(sess_time, n_levels, n_buys)
        ev_player = sess_player[ev_session]
        is_level = etype == EVENT_LEVEL
        level = np.where(
            is_level, self.level[ev_player] + _within_group_count(ev_player, is_level), -1
        )
        self.level += np.bincount(ev_player[is_level], minlength=self.n_players)
        whale = self.whale[ev_player]

        parts = {
            "player": ev_player,
            "session": ev_session + self.next_session,
            "etype": etype,
            "time": ev_time,
            "platform": self.platform[ev_player],
            "country": self.country[ev_player],
            "channel": self.channel[ev_player],
            "install": self.install_day[ev_player],
            "level": level,
            "whale": whale,
        }
        self.next_session += len(sess_player)
        chunk: Chunk = {k: np.asarray(v) for k, v in parts.items()}
        for inc in today:
            if inc.incident_type == "bot_spike":
                chunk = common.concat([chunk, self._bots(inc, day, len(active), day_start)])

        # A day's chunk holds the events recorded on that day: events of late sessions that
        # run past midnight move to the next day's chunk, so day-based incidents (and their
        # labels) see exactly the rows of their window. The last day's spill-over is dropped:
        # the log ends with the period.
        spill = chunk["time"] >= day_start + DAY_US
        chunk, self.carry = (
            common.concat([self.carry, common.take(chunk, np.flatnonzero(~spill))]),
            common.take(chunk, np.flatnonzero(spill)),
        )
        if not chunk:
            return {}
        chunk = common.take(chunk, np.argsort(chunk["time"], kind="stable"))
        n = common.rows(chunk)
        if n == 0:
            return {}
        chunk["revenue"] = self._revenue(chunk["etype"] == EVENT_PURCHASE, chunk.pop("whale"))
        chunk["id"] = np.arange(self.next_event, self.next_event + n, dtype=np.int64)
        self.next_event += n
        chunk["user_null"] = np.zeros(n, dtype=bool)
        chunk["ingested"] = chunk["time"] + common.ingestion_lag_us(rng, n)
        chunk["batch_hour"] = common.hour_of(chunk["ingested"])
        chunk["replay"] = np.zeros(n, dtype=np.int8)

        for inc in today:
            in_slice = self._slice_mask(inc, chunk)
            if inc.incident_type in ("tracking_outage", "partial_event_loss"):
                lost = (
                    in_slice & (chunk["etype"] == EVENT_PURCHASE) & (rng.random(n) < inc.magnitude)
                )
                chunk = common.take(chunk, np.flatnonzero(~lost))
            elif inc.incident_type == "schema_drift":
                renamed = (
                    in_slice & (chunk["etype"] == EVENT_PURCHASE) & (rng.random(n) < inc.magnitude)
                )
                chunk["etype"][renamed] = EVENT_RENAMED
            elif inc.incident_type == "null_burst":
                chunk["user_null"] = in_slice & (rng.random(n) < inc.magnitude)
            elif inc.incident_type == "timestamp_shift":
                chunk["time"][in_slice] += int(inc.magnitude) * HOUR_US
            elif inc.incident_type == "late_batch":
                common.apply_late_batch(chunk, rng, inc.magnitude)
            elif inc.incident_type == "duplicate_ingestion":
                chunk = common.apply_duplicates(chunk, rng, inc.magnitude)
            elif inc.incident_type == "quarantine_heavy_day":
                chunk["etype"][in_slice & (rng.random(n) < inc.magnitude)] = EVENT_UNPARSEABLE
            elif inc.incident_type == "pipeline_stall":
                chunk = common.apply_pipeline_stall(chunk, day_start, stall_cutoff_hour(inc))
            elif inc.incident_type == "batch_clock_skew":
                common.apply_batch_clock_skew(chunk, in_slice, day_start, int(inc.magnitude))
            elif inc.incident_type == "implausible_timestamp":
                era = str(inc.params["era"])
                common.apply_implausible_time(chunk, rng, in_slice, day_start, inc.magnitude, era)
        return chunk

    def _bots(self, inc: Incident, day: int, real_dau: int, day_start: int) -> Chunk:
        """Bot accounts: new ids, one channel, dozens of sessions round the clock, no purchases."""
        rng = self.rng
        n = int(round(inc.magnitude * real_dau))
        ids = np.arange(self.next_bot, self.next_bot + n, dtype=np.int64)
        self.next_bot += n
        n_sess = rng.integers(_BOT_SESSIONS[0], _BOT_SESSIONS[1] + 1, n)
        sess_time = self._sessions(n_sess, np.zeros(n, dtype=np.int64), False, day_start)
        sess_bot = np.repeat(np.arange(n), n_sess)
        n_levels = np.minimum(rng.poisson(0.8, len(sess_bot)), _MAX_LEVELS_PER_SESSION)
        ev_session, etype, ev_time = self._events(sess_time, n_levels, np.zeros_like(n_levels))
        ev_bot = sess_bot[ev_session]
        is_level = etype == EVENT_LEVEL
        platform = rng.choice(len(vocab.PLATFORMS), size=n, p=[0.15, 0.75, 0.10])
        country = rng.choice(len(vocab.COUNTRIES), size=n, p=vocab.COUNTRY_WEIGHTS)
        chunk = {
            "player": ids[ev_bot],
            "session": ev_session + self.next_session,
            "etype": etype,
            "time": ev_time,
            "platform": platform[ev_bot],
            "country": country[ev_bot],
            "channel": np.full(len(ev_bot), vocab.CHANNEL_NAMES.index(inc.slice_value)),
            "install": np.full(len(ev_bot), day, dtype=np.int64),
            "level": np.where(is_level, _within_group_count(ev_bot, is_level), -1),
            "whale": np.zeros(len(ev_bot), dtype=bool),
        }
        self.next_session += len(sess_bot)
        return chunk

    def _revenue(self, is_purchase: np.ndarray, whale: np.ndarray) -> np.ndarray:
        rng = self.rng
        revenue = np.full(len(is_purchase), np.nan)
        idx = np.flatnonzero(is_purchase)
        regular = rng.choice(PRICES_R[0], size=len(idx), p=PRICES_R[1])
        big = rng.choice(PRICES_W[0], size=len(idx), p=PRICES_W[1])
        revenue[idx] = np.where(whale[idx], big, regular)
        return revenue

    @staticmethod
    def _slice_mask(inc: Incident, chunk: Chunk) -> np.ndarray:
        columns = {
            "platform": (chunk["platform"], vocab.PLATFORM_NAMES),
            "acquisition_channel": (chunk["channel"], vocab.CHANNEL_NAMES),
            "country": (chunk["country"], vocab.COUNTRY_NAMES),
        }
        return slice_mask(inc, columns)

    # -- output --------------------------------------------------------------------------------
    def to_arrow(self, chunk: Chunk) -> pa.Table:
        """Arrow table in the contract's column order (docs/design.md, `game_events`)."""
        epoch_offset = self.cfg.start_date.toordinal() - _EPOCH_DAYS
        columns = [
            common.id_strings("e", chunk["id"], 10),
            common.id_strings("u", chunk["player"], 8, null=chunk["user_null"]),
            common.id_strings("s", chunk["session"], 10),
            common.dictionary_array(chunk["etype"], pa.array(vocab.EVENT_NAMES)),
            common.timestamps(chunk["time"]),
            common.dictionary_array(chunk["platform"], pa.array(vocab.PLATFORM_NAMES)),
            common.dictionary_array(chunk["country"], pa.array(vocab.COUNTRY_NAMES)),
            common.dictionary_array(chunk["channel"], pa.array(vocab.CHANNEL_NAMES)),
            pa.array((chunk["install"] + epoch_offset).astype(np.int32), type=pa.date32()),
            pa.array(chunk["level"].astype(np.int32), mask=chunk["level"] < 0),
            pa.array(chunk["revenue"], mask=np.isnan(chunk["revenue"])),
            common.timestamps(chunk["ingested"]),
            common.dictionary_array(
                self.batches.codes(chunk["batch_hour"], chunk["replay"]), self.batches.dictionary
            ),
        ]
        return pa.Table.from_arrays(columns, schema=SCHEMA)


PRICES_R = vocab.PRICES_REGULAR
PRICES_W = vocab.PRICES_WHALE
