"""The warehouse's use of the search: each anomalous KPI-day's root causes in its leaf cube.

``kpi_root_causes`` (a dbt Python model) passes the rows of ``kpi_verdicts_daily`` and the
leaf cubes (``rca_api_leaves_daily``, ``rca_game_leaves_daily``: actual and expected additive
measures per leaf-day) to :func:`root_causes`. Each KPI is decomposed through the measures it is
built from (``KPI_MEASURES``): a count or sum directly, a ratio through its numerator and
denominator (rate and mix effects), a latency percentile through "calls x the leaf's
percentile" over calls: the calls-weighted mean of the leaves' percentiles, whose rate effect is
the leaves' own percentile shifts and whose mix effect is traffic moving between fast and slow
leaves (docs/root-cause.md, "Percentile KPIs"). A verdict on a slice (region = eu-west) is
searched inside the slice and its causes carry the slice's condition; when nothing inside it
stands out, the slice itself is the cause. On the total, when the top cause is the whole cube or
nothing stands out, the movement is broad and the row says so instead of naming a slice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi_trust.rca.cube import Cube, cube_from_codes
from kpi_trust.rca.localize import (
    Localization,
    localize_cube,
    localize_ratio_cube,
    ratio_contributions,
)
from kpi_trust.rca.search import MIN_EVENTS

DIMENSIONS = {
    "api_calls": ["api_name", "api_version", "region", "client_type", "document_type"],
    "game_events": ["platform", "country", "acquisition_channel", "install_week"],
}
DAY_COLUMN = {"api_calls": "call_date", "game_events": "event_date"}
# Dimensions named within another: a release belongs to its API (v2.0.1 of liveness_check), so
# a cause on a release is named with its API. The other way round does not hold: an API whose
# calls all ran one release that day is not a cause in that release.
PARENT_DIMENSION = {"api_version": "api_name"}


@dataclass(frozen=True)
class KpiMeasure:
    dataset: str
    kind: str  # additive | ratio | percentile
    measure: str  # additive: the measure; ratio: numerator; percentile: the leaf percentile
    denominator: str | None = None
    noun: str = ""  # how the sentence names the KPI
    unit: str = ""
    subset: bool = False  # ratios: the numerator counts a subset of the denominator's units


KPI_MEASURES = {
    "api_calls": KpiMeasure("api_calls", "additive", "calls", noun="calls"),
    "api_success_rate": KpiMeasure(
        "api_calls", "ratio", "successes", "calls", "success rate", "%", subset=True
    ),
    "api_failure_rate": KpiMeasure(
        "api_calls", "ratio", "failures", "calls", "failure rate", "%", subset=True
    ),
    "api_timeout_rate": KpiMeasure(
        "api_calls", "ratio", "timeouts", "calls", "timeout rate", "%", subset=True
    ),
    "api_p50_latency_ms": KpiMeasure(
        "api_calls", "percentile", "p50_latency_ms", "calls", "p50 latency", " ms"
    ),
    "api_p95_latency_ms": KpiMeasure(
        "api_calls", "percentile", "p95_latency_ms", "calls", "p95 latency", " ms"
    ),
    "api_p99_latency_ms": KpiMeasure(
        "api_calls", "percentile", "p99_latency_ms", "calls", "p99 latency", " ms"
    ),
    "dau": KpiMeasure("game_events", "additive", "dau", noun="DAU"),
    "new_users": KpiMeasure("game_events", "additive", "new_users", noun="new users"),
    "sessions": KpiMeasure("game_events", "additive", "sessions", noun="sessions"),
    "purchasers": KpiMeasure("game_events", "additive", "purchasers", noun="purchasers"),
    "purchases": KpiMeasure("game_events", "additive", "purchases", noun="purchases"),
    "revenue_usd": KpiMeasure(
        "game_events", "additive", "revenue_usd", noun="revenue", unit=" USD"
    ),
    "levels_completed": KpiMeasure(
        "game_events", "additive", "levels_completed", noun="levels completed"
    ),
    "conversion_rate": KpiMeasure(
        "game_events", "ratio", "purchasers", "dau", "conversion rate", "%", subset=True
    ),
    "arpdau": KpiMeasure("game_events", "ratio", "revenue_usd", "dau", "ARPDAU", " USD"),
    "arppu": KpiMeasure("game_events", "ratio", "revenue_usd", "purchasers", "ARPPU", " USD"),
    "d1_retention": KpiMeasure(
        "game_events",
        "ratio",
        "d1_retained_users",
        "new_users",
        "D1 retention",
        "%",
        subset=True,
    ),
}

OUTPUT_COLUMNS = [
    "kpi_root_cause_id",
    "kpi_name",
    "dataset",
    "dimension_name",
    "dimension_value",
    "verdict",
    "value_basis",
    "cause_rank",
    "root_cause",
    "n_attributes",
    "score",
    "explained_share",
    "effect",
    "rate_share",
    "mix_share",
    "cause_expected",
    "cause_actual",
    "is_broad",
    "sentence",
    "kpi_date",
]


# Prior strength of a leaf's expected ratio: the whole's ratio counts as this many expected
# denominator units (calls, users) of the leaf's own history. Sparse leaves (a few calls a day)
# have medians of 0 failures; with 20 units a leaf's own history dominates once it expects
# more than 20 calls a day, and a leaf expecting 2 is expected near the whole's rate.
RATIO_PRIOR_WEIGHT = 20.0
# Slices are named as the cause only when together they carry at least half of the deviation of
# the row's scope; otherwise the scope moved as a whole (a pipeline stall cuts every slice, by
# shares that differ with each country's hours) and the slices found come after that statement.
# A materiality choice, not a statistic: each slice has already passed the search's test.
MIN_EXPLAINED_SHARE = 0.5


def _percentile_numerator(spec: KpiMeasure, arrays: dict[str, np.ndarray]):
    """A percentile KPI as a ratio: (calls x the leaf's percentile, actual and expected) and
    the whole's expected percentile. A leaf with no percentile history is expected at the
    whole's."""
    den_a = arrays[spec.denominator]
    den_e = arrays[f"expected_{spec.denominator}"]
    leaf_a = arrays[spec.measure]
    leaf_e = arrays[f"expected_{spec.measure}"]
    known = ~np.isnan(leaf_e) & (den_e > 0)
    weight = float(den_e[known].sum())
    whole = float((den_e[known] * leaf_e[known]).sum()) / weight if weight else 0.0
    return np.nan_to_num(den_a * leaf_a), den_e * np.where(np.isnan(leaf_e), whole, leaf_e), whole


def _background(spec: KpiMeasure, outside: dict[str, np.ndarray] | None):
    """For a slice searched alone: actual / expected of the day's leaves outside it, for the
    measure the search runs on (the rate search's and the mix search's for a ratio), so the
    whole slice can be a cause's parent (kpi_trust.rca.search, _Search.coarsen)."""
    if outside is None:
        return None, None

    def factor(actual, expected):
        total = float(np.nansum(expected))
        return float(np.nansum(actual)) / total if total > 0 else None

    if spec.kind == "additive":
        return factor(outside[spec.measure], outside[f"expected_{spec.measure}"]), None
    den_a = outside[spec.denominator]
    den_e = outside[f"expected_{spec.denominator}"]
    if spec.kind == "ratio":
        num_a, num_e = outside[spec.measure], outside[f"expected_{spec.measure}"]
    else:
        num_a, num_e, _ = _percentile_numerator(spec, outside)
    prior = RATIO_PRIOR_WEIGHT if spec.kind == "ratio" else 0.0
    r_e = ratio_contributions(num_a, num_e, den_a, den_e, prior)[4]
    return factor(num_a, den_a * r_e), factor(den_a, den_e)


def _localize(
    spec: KpiMeasure,
    cube: Cube,
    arrays: dict[str, np.ndarray],
    top_k: int,
    outside: dict[str, np.ndarray] | None = None,
):
    options = {"max_causes": max(top_k, 1) + 2}
    backgrounds = _background(spec, outside)
    if spec.kind == "additive":
        return localize_cube(
            cube,
            arrays[spec.measure],
            arrays[f"expected_{spec.measure}"],
            event_size=_event_size(spec.measure, arrays),
            background=backgrounds[0],
            **options,
        )
    options["backgrounds"] = backgrounds
    den_a = arrays[spec.denominator]
    den_e = arrays[f"expected_{spec.denominator}"]
    if spec.kind == "percentile":  # calls x the leaf's percentile, over calls
        num_a, num_e, whole = _percentile_numerator(spec, arrays)
        # one call's worth of the numerator: the whole's expected percentile
        sizes = (max(whole, 1.0), 1.0)
        # no shrinkage: leaves' latencies differ by API far more than their noise
        return localize_ratio_cube(cube, num_a, num_e, den_a, den_e, event_sizes=sizes, **options)
    num_a = arrays[spec.measure]
    num_e = arrays[f"expected_{spec.measure}"]
    sizes = (_event_size(spec.measure, arrays), _event_size(spec.denominator, arrays))
    if spec.subset:
        # a subset's count given its trials is binomial, var = n r (1 - r): a Poisson floor of
        # one event would drown a 24-point drop of a 93 % success rate in ~1.4-call leaves
        expected_den = float(np.nansum(den_e))
        whole = float(np.nansum(num_e)) / expected_den if expected_den > 0 else 0.0
        sizes = (max(1.0 - whole, 0.01), sizes[1])
        # the normal approximation needs about MIN_EVENTS of the rarer outcome: n·min(p, 1 - p)
        rarer = min(whole, 1.0 - whole) or 1.0
        options = {**options, "numerator_min_mass": MIN_EVENTS * whole / rarer}
    return localize_ratio_cube(
        cube,
        num_a,
        num_e,
        den_a,
        den_e,
        prior_weight=RATIO_PRIOR_WEIGHT,
        event_sizes=sizes,
        **options,
    )


def _close(cube: Cube, result: Localization) -> None:
    """Name a cause on a release by its API too: `api_version=v2.0.1` is liveness_check's, so it
    is `api_name=liveness_check&api_version=v2.0.1`, the same leaves said in full. Only values
    of a parent dimension (PARENT_DIMENSION) that the cause's release values imply are added:
    naming every value a cause's leaves happen to share would call a slow region of an API that
    ran a single release that day a problem of that release. The search reports the shortest
    conjunction; readers and labels think in the full one."""
    positions = {name: i for i, name in enumerate(cube.dimensions)}
    for cause in result.causes:
        if not cause.elements:
            continue
        mask = np.ones(cube.n_leaves, dtype=bool)
        for name, value in cause.elements.items():
            codes = np.flatnonzero(cube.values[positions[name]] == value)
            mask &= np.isin(cube.codes[:, positions[name]], codes)
        if not mask.any():
            continue
        for child, parent in PARENT_DIMENSION.items():
            if child not in cause.elements or parent in cause.elements or parent not in positions:
                continue
            present = np.unique(cube.codes[mask, positions[parent]])
            if present.size == 1:
                cause.elements[parent] = str(cube.values[positions[parent]][present[0]])
        cause.elements = {k: cause.elements[k] for k in cube.dimensions if k in cause.elements}


def _event_size(measure: str, arrays: dict[str, np.ndarray]) -> float:
    """The size of one event of an additive measure: 1 for counts, the day's expected revenue
    per expected purchase for revenue (a purchase moves revenue by about that much)."""
    if measure != "revenue_usd":
        return 1.0
    purchases = float(np.nansum(arrays["expected_purchases"]))
    revenue = float(np.nansum(arrays["expected_revenue_usd"]))
    return revenue / purchases if purchases > 0 and revenue > 0 else 1.0


def _fmt(value: float | None, spec: KpiMeasure) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    # 9 decimals first: a value on a rounding boundary (7.575) comes out of a parallel sum as
    # 7.575000000000001 or 7.574999999999999, and must print the same digits on every build
    value = round(float(value), 9)
    if spec.unit == "%":
        return f"{100 * value:.1f} %"
    if abs(value) >= 100:
        return f"{value:,.0f}{spec.unit}"
    return f"{value:,.2f}{spec.unit}"


def _percent(share: float) -> str:
    """A share in whole percent; round() gives an int, so a share of -1e-16 reads 0, not -0."""
    return f"{round(100 * share)} %"


def _sentence(spec, label, share, movement, before, after, effect, rate_share, mix_share):
    words = {"up": "rise", "down": "drop"}["up" if movement >= 0 else "down"]
    where = label.replace("&", " ∧ ")
    text = (
        f"{where} explains {_percent(share)} of the {spec.noun} {words}; "
        f"its {spec.noun} went {_fmt(before, spec)} → {_fmt(after, spec)}"
    )
    if effect in ("rate", "mix"):
        text += f" ({effect} effect: rate {_percent(rate_share)}, mix {_percent(mix_share)})"
    return text


def _row_causes(spec, result: Localization, slice_pairs, top_k, total_before, total_after):
    movement = result.total_actual - result.total_expected
    rows = []
    prefix = dict(slice_pairs)
    for cause in result.causes:
        if cause.is_broad:
            continue
        elements = {**prefix, **cause.elements}
        label = "&".join(sorted(f"{k}={v}" for k, v in elements.items()))
        if spec.kind == "additive":
            before, after = cause.expected, cause.actual
        else:
            before, after = cause.value_expected, cause.value_actual
        rows.append(
            {
                "root_cause": label,
                "n_attributes": len(elements),
                "score": cause.score,
                "explained_share": cause.explained_share,
                "effect": cause.effect,
                "rate_share": cause.rate_share,
                "mix_share": cause.mix_share,
                "cause_expected": before,
                "cause_actual": after,
                "is_broad": False,
                "sentence": _sentence(
                    spec,
                    label,
                    cause.explained_share,
                    movement,
                    before,
                    after,
                    cause.effect,
                    cause.rate_share or 0,
                    cause.mix_share or 0,
                ),
            }
        )
    explained = sum(row["explained_share"] for row in rows)
    if rows and not result.is_broad and explained >= MIN_EXPLAINED_SHARE:
        return rows[:top_k]
    # nothing inside stands out (or the whole moved alike): the scope itself is the cause
    words = "rise" if movement >= 0 else "drop"
    went = f"went {_fmt(total_before, spec)} → {_fmt(total_after, spec)}"
    label = "&".join(sorted(f"{k}={v}" for k, v in prefix.items())) or "all"
    broad = False
    if not result.testable:
        # no slice inside expected MIN_EVENTS events: the search could test none, so it
        # cannot say whether the scope moved alike or one sparse part of it did
        effect = "too_few_events"
        where = label.replace("&", " ∧ ") if prefix else "the total"
        sentence = (
            f"The {spec.noun} {words} of {where} cannot be localised: no slice inside it "
            f"expected {MIN_EVENTS:g} or more events; its {spec.noun} {went}"
        )
    elif prefix:
        effect = "whole_slice"
        sentence = (
            f"{label.replace('&', ' ∧ ')} moved as a whole: no narrower slice inside it explains "
            f"the {spec.noun} {words}; its {spec.noun} {went}"
        )
    else:
        effect, broad = "broad", True
        sentence = f"The {spec.noun} {words} is broad: no slice explains it; the total {went}"
    first = {
        "root_cause": label,
        "n_attributes": len(prefix),
        "score": (result.causes[0].score if result.causes else 0.0),
        "explained_share": 1.0,
        "effect": effect,
        "rate_share": None,
        "mix_share": None,
        "cause_expected": total_before,
        "cause_actual": total_after,
        "is_broad": broad,
        "sentence": sentence,
    }
    return [first, *rows[: top_k - 1]]


@dataclass
class _Day:
    """One dataset-day of a leaf cube, coded once: every verdict scope of the day is a cut."""

    dimensions: list[str]
    codes: np.ndarray
    values: list[np.ndarray]
    arrays: dict[str, np.ndarray]


def _code_day(day: pd.DataFrame, dataset: str) -> _Day:
    dims = list(DIMENSIONS[dataset])
    # Leaves in a canonical order, whatever order the engine stored them in: the search's
    # greedy steps depend on the order of the leaves, so two builds of the same data (the leaf
    # table written in another row order) named different second and third causes.
    day = day.sort_values(dims, kind="stable", ignore_index=True)
    codes, values = [], []
    for dimension in dims:
        level_codes, levels = pd.factorize(day[dimension].astype(str), sort=True)
        codes.append(level_codes.astype(np.int64))
        values.append(np.asarray(levels, dtype=object))
    arrays = {}
    for column in day.columns:
        if column in dims or column in (DAY_COLUMN[dataset], "n_periods", "value_basis"):
            continue
        array = pd.to_numeric(day[column], errors="coerce").to_numpy(dtype=float)
        # percentiles keep their nulls (no calls = no percentile); counts without history are 0
        arrays[column] = array if "latency" in column else np.nan_to_num(array)
    return _Day(dims, np.column_stack(codes), values, arrays)


def _scope(day: _Day, dimension_name: str, value: str):
    """The leaves of one verdict scope (the day, or one slice of it) as a cube and arrays, and
    for a slice the arrays of the day's other leaves."""
    if dimension_name == "all":
        keep = np.ones(day.codes.shape[0], dtype=bool)
        attributes = list(range(len(day.dimensions)))
        slice_pairs: list[tuple[str, str]] = []
    else:
        position = day.dimensions.index(dimension_name)
        matches = np.flatnonzero(day.values[position] == value)
        if matches.size == 0:
            return None
        keep = day.codes[:, position] == matches[0]
        attributes = [i for i in range(len(day.dimensions)) if i != position]
        slice_pairs = [(dimension_name, value)]
    if not keep.any():
        return None
    cube = cube_from_codes(
        [day.dimensions[i] for i in attributes],
        day.codes[keep][:, attributes],
        [day.values[i] for i in attributes],
    )
    arrays = {name: array[keep] for name, array in day.arrays.items()}
    # the rest of the day around a slice: its factor is the slice's background
    outside = None if not slice_pairs else {k: v[~keep] for k, v in day.arrays.items()}
    return cube, arrays, slice_pairs, outside


def root_causes(verdicts: pd.DataFrame, leaves: dict[str, pd.DataFrame], top_k: int = 3):
    """One row per verdict row x cause rank (at most ``top_k``); see OUTPUT_COLUMNS.

    ``verdicts``: kpi_name, dimension_name, dimension_value, verdict, kpi_date.
    ``leaves``: dataset -> leaf cube (dimension columns, measures, expected_<measure>, the
    day column, value_basis; without it every leaf is 'adjusted') holding at least the verdicts'
    days. A repaired_incident verdict is searched in the reported leaves (the defect the
    warehouse repairs is only there), every other in the adjusted ones. KPIs without a
    decomposition are skipped.
    """
    out = []
    by_day: dict[tuple[str, str], dict] = {}
    for dataset, frame in leaves.items():
        bases = frame["value_basis"] if "value_basis" in frame.columns else "adjusted"
        frame = frame.assign(value_basis=bases)
        days = pd.to_datetime(frame[DAY_COLUMN[dataset]]).dt.date
        for (basis, day), part in frame.groupby([frame["value_basis"], days], sort=False):
            coded = _code_day(part.drop(columns="value_basis"), dataset)
            by_day.setdefault((dataset, basis), {})[day] = coded
    scopes: dict[tuple, tuple | None] = {}
    for row in verdicts.itertuples(index=False):
        spec = KPI_MEASURES.get(row.kpi_name)
        # a repaired defect is only in the rows as reported: search there, else in the adjusted
        basis = "reported" if row.verdict == "repaired_incident" else "adjusted"
        if spec is None or (spec.dataset, basis) not in by_day:
            continue
        day_key = pd.Timestamp(row.kpi_date).date()
        value = str(row.dimension_value)
        key = (spec.dataset, basis, day_key, row.dimension_name, value)
        if key not in scopes:
            day = by_day[(spec.dataset, basis)].get(day_key)
            valid = day is not None and (
                row.dimension_name == "all" or row.dimension_name in DIMENSIONS[spec.dataset]
            )
            scopes[key] = _scope(day, row.dimension_name, value) if valid else None
        scope = scopes[key]
        if scope is None:
            continue
        cube, arrays, slice_pairs, outside = scope
        result = _localize(spec, cube, arrays, top_k, outside)
        before = result.total_expected
        if spec.kind != "additive" and not np.nansum(arrays[f"expected_{spec.denominator}"]):
            before = None  # nothing expected in the scope: no expected ratio to quote
        _close(cube, result)
        causes = _row_causes(spec, result, slice_pairs, top_k, before, result.total_actual)
        for rank, cause in enumerate(causes, start=1):
            key_text = "|".join(
                [row.kpi_name, row.dimension_name, value, str(row.kpi_date), str(rank)]
            )
            out.append(
                {
                    "kpi_root_cause_id": hashlib.md5(key_text.encode()).hexdigest(),
                    "kpi_name": row.kpi_name,
                    "dataset": spec.dataset,
                    "dimension_name": row.dimension_name,
                    "dimension_value": value,
                    "verdict": row.verdict,
                    "value_basis": basis,
                    "cause_rank": rank,
                    **cause,
                    "kpi_date": row.kpi_date,
                }
            )
    frame = pd.DataFrame(out, columns=OUTPUT_COLUMNS)
    for column in (
        "score",
        "explained_share",
        "rate_share",
        "mix_share",
        "cause_expected",
        "cause_actual",
    ):
        frame[column] = frame[column].astype(float)
    frame["cause_rank"] = frame["cause_rank"].astype("int64")
    frame["n_attributes"] = frame["n_attributes"].astype("int64")
    frame["is_broad"] = frame["is_broad"].astype(bool)
    return frame
