"""Expected values per leaf-day, from the anomaly detector's baseline: the same-weekday median.

The warehouse's leaf cubes (``rca_api_leaves_daily``, ``rca_game_leaves_daily``) need, for every
leaf and day, an expected value of each additive measure with no look-ahead. The anomaly
detector expects a KPI at the median of the same weekday over the previous ``weeks`` weeks (at
least ``min_weeks``; ``kpi_seasonal_baselines_daily``). Per leaf, that median is biased: leaves
are sparse (an API leaf is one API version in one region for one client and document type, ~1.4
calls a day on the default data) and a sparse count's median is mostly 0. So each additive
measure's total over all leaves gets the detector's same-weekday median, and each leaf its share
of it: the leaf's share of the measure's total over the same ``weeks`` weeks of history. Leaf
expectations then add up to the total's (top-down forecasting with historical proportions).
A percentile is not additive: a leaf's expected percentile is the median of its own same-weekday
values on days with calls. Leaves are kept as a dense leaf x day array in numpy (a day without a
row is 0); in SQL that meant every leaf on every day (1.6 M API leaf-days) and a self-join over
it (27 s), here it takes about a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SHARE_WEEKS = 2  # weeks of history a leaf's share of the total is measured over


def leaf_expectations(
    frame: pd.DataFrame,
    day_column: str,
    leaf_columns: list[str],
    measures: list[str],
    *,
    sparse_measures: tuple[str, ...] = (),
    weeks: int = 8,
    min_weeks: int = 3,
    log_first_day: object = None,
    output_from: object = None,
) -> pd.DataFrame:
    """``frame`` has one row per leaf-day with activity; the result one row per leaf-day with
    activity or an expectation, with ``expected_<measure>`` and ``n_periods`` beside each
    measure. A day missing from ``frame`` is 0 for every measure except ``sparse_measures``
    (percentiles: no calls, no value), whose missing days are skipped by the median.
    Earlier days only: no look-ahead. The calendar runs from the first to the last day.
    ``output_from``: only days from it on are returned, and ``frame`` needs only the
    ``7 * weeks`` days before it (``history_start``), as an incremental run reads; then
    ``log_first_day`` (the whole log's first day) says where the calendar starts when no row
    falls on the first days of that window. The weeks of history of every returned day are
    then those of the full calculation (``weeks`` as soon as the window is read whole)."""
    days = pd.to_datetime(frame[day_column]).dt.normalize()
    first = days.min()
    if output_from is not None and len(frame):
        # the calendar reaches back to the history window (or the log's start), whatever the
        # first day with a row: every same-weekday day looked up lies on it
        log_first = first if log_first_day is None else pd.Timestamp(log_first_day)
        first = min(first, max(history_start(output_from, weeks), log_first))
    n_days = int((days.max() - first).days) + 1 if len(frame) else 0
    day_index = (days - first).dt.days.to_numpy()
    leaf_index = frame.groupby(leaf_columns, sort=True, dropna=False).ngroup().to_numpy()
    leaves = (
        frame[leaf_columns].assign(_leaf=leaf_index).drop_duplicates("_leaf").sort_values("_leaf")
    )
    n_leaves = len(leaves)
    # weeks of history each day has (the same for every leaf: the log's calendar)
    available = np.minimum(np.arange(n_days) // 7, weeks)
    first_measure = measures[0]
    dense_first = np.zeros((n_leaves, n_days))
    dense_first[leaf_index, day_index] = frame[first_measure].to_numpy(dtype=float)
    cumulative_first = np.cumsum(dense_first, axis=1)
    # leaf-days worth a row: activity on the day or in the history window before it
    keep = dense_first != 0
    for n_weeks in range(1, weeks + 1):
        cols = np.flatnonzero(available == n_weeks)
        if cols.size:
            keep[:, cols] |= _window_sum(cumulative_first, cols, 7 * n_weeks) != 0
    if output_from is not None and len(frame):
        keep[:, : max((pd.Timestamp(output_from) - first).days, 0)] = False
    rows, cols = np.nonzero(keep)
    weeks_of = available[cols]
    steps = np.arange(1, weeks + 1)[None, :]
    in_log = steps <= weeks_of[:, None]
    past_cols = np.where(in_log, cols[:, None] - 7 * steps, 0)
    result = leaves.iloc[rows][leaf_columns].reset_index(drop=True)
    for measure in measures:
        sparse = measure in sparse_measures
        dense = np.full((n_leaves, n_days), np.nan if sparse else 0.0)
        dense[leaf_index, day_index] = frame[measure].to_numpy(dtype=float)
        if sparse:
            # a leaf's own percentile: the median of its same-weekday values with calls
            past = np.where(in_log, dense[rows[:, None], past_cols], np.nan)
            seen = (~np.isnan(past)).sum(axis=1)
            past = np.where(np.isnan(past), np.inf, past)
            past.sort(axis=1)
            value = np.where(seen >= min_weeks, _sorted_median(past, seen), np.nan)
        else:
            value = _allocated_median(dense, rows, cols, weeks_of, past_cols, in_log)
            value = np.where(weeks_of >= min_weeks, value, np.nan)
        result[measure] = dense[rows, cols]
        result[f"expected_{measure}"] = value
    result["n_periods"] = weeks_of.astype("int64")
    result[day_column] = (first + pd.to_timedelta(cols, unit="D")).date
    return result


def history_start(output_from: object, weeks: int = 8) -> pd.Timestamp:
    """The first day ``leaf_expectations`` reads to return the days from ``output_from`` on:
    ``weeks`` weeks before it (the same-weekday medians; the shares use fewer)."""
    return pd.Timestamp(output_from) - pd.Timedelta(days=7 * weeks)


def _window_sum(cumulative: np.ndarray, cols: np.ndarray, length: int) -> np.ndarray:
    """Sum of the ``length`` days before each of ``cols`` (cumulative sums along axis 1)."""
    end = cumulative[:, cols - 1]
    start_cols = cols - length - 1
    start = np.where(start_cols >= 0, cumulative[:, np.maximum(start_cols, 0)], 0.0)
    return end - start


def _allocated_median(dense, rows, cols, weeks_of, past_cols, in_log):
    """The total's same-weekday median, split over the leaves by their share of the total in
    the same weeks: a sparse leaf's own median is 0 on most days (Poisson(0.5) has median 0)
    and the sum of the leaves' medians falls far below the total's (853 expected calls for
    1,463 on a default-data day), while shares keep the leaves' expectations summing to it."""
    total = dense.sum(axis=0)
    past_total = np.where(in_log, total[past_cols], np.inf)
    past_total.sort(axis=1)
    total_median = _sorted_median(past_total, np.maximum(in_log.sum(axis=1), 1))
    cumulative = np.concatenate([np.zeros((dense.shape[0], 1)), np.cumsum(dense, axis=1)], axis=1)
    cumulative_total = np.concatenate([[0.0], np.cumsum(total)])
    # shares over the last SHARE_WEEKS weeks: recent enough to follow a release ramping up
    # (over 8 weeks a growing API version's share lags and reads as a cause every day)
    start = np.maximum(cols - 7 * np.minimum(weeks_of, SHARE_WEEKS), 0)
    leaf_sum = cumulative[rows, cols] - cumulative[rows, start]
    total_sum = cumulative_total[cols] - cumulative_total[start]
    share = np.divide(leaf_sum, total_sum, out=np.zeros_like(leaf_sum), where=total_sum > 0)
    return np.where(np.isfinite(total_median), share * np.nan_to_num(total_median), np.nan)


def _sorted_median(sorted_values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Median of the first ``counts`` entries of each row of an ascending-sorted last axis."""
    counts = np.maximum(counts, 1)
    low = np.take_along_axis(sorted_values, ((counts - 1) // 2)[..., None], axis=-1)[..., 0]
    high = np.take_along_axis(sorted_values, (counts // 2)[..., None], axis=-1)[..., 0]
    return (low + high) / 2.0
