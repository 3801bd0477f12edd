"""Stored root causes reused by an incremental run when what they were computed from is unchanged.

A verdict row's causes (``kpi_trust.rca.warehouse.root_causes``) depend on its key (KPI, slice,
day), its verdict (which picks the leaf cube's value basis: ``search_basis``), the leaf cube's
rows of that dataset, basis and day, and ``rca_top_k``. ``kpi_root_causes`` stores beside each
cause a fingerprint of those leaf-day rows and of ``rca_top_k`` (``inputs_fingerprint``). An
incremental run computes the fingerprints of today's verdict rows (one hash aggregate over the
cubes' verdict days), keeps the stored causes of the rows whose key, verdict and fingerprint
are all unchanged, and searches only the others: the new days, the days late rows reached
(whatever their age, as their leaf rows changed) and any verdict that changed. The result equals
a full search as long as the search code is the same; after changing it, rebuild with
``--full-refresh``.

A fingerprint is DuckDB's ``hash`` of every leaf row of the day (a struct of all its columns),
combined order-free with ``bit_xor`` and with the row count and top-k. A ``hash`` that changes
between DuckDB versions only makes one run search everything again.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from kpi_trust.rca.warehouse import KPI_MEASURES

VERDICT_KEY = ["kpi_name", "dimension_name", "dimension_value", "_day"]
CARRY_KEY = [*VERDICT_KEY, "verdict", "inputs_fingerprint"]


def search_basis(verdict: str) -> str:
    """The leaf cube's value basis a verdict is searched in (as ``root_causes`` does)."""
    return "reported" if verdict == "repaired_incident" else "adjusted"


def fingerprint_sql(cube_sql: str, day_column: str, days: list[str], top_k: int) -> str:
    """One ``inputs_fingerprint`` per value_basis x day of a leaf cube (``cube_sql``: a query),
    for ``days`` (ISO dates) only; columns value_basis, kpi_date, inputs_fingerprint."""
    listed = ", ".join(f"date '{day}'" for day in days)
    return (
        f"select value_basis, {day_column} as kpi_date, "
        f"cast(hash(bit_xor(hash(leaves)), count(*), {int(top_k)}) >> 1 as bigint) "
        "as inputs_fingerprint "
        f"from ({cube_sql}) as leaves where {day_column} in ({listed}) group by all"
    )


def _day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.date


def with_fingerprints(
    verdicts: pd.DataFrame, fingerprints: Callable[[str, list[str]], pd.DataFrame]
) -> pd.DataFrame:
    """The verdict rows of KPIs with a decomposition (the others never have causes), with their
    ``dataset`` and ``inputs_fingerprint`` (null when the cube has no leaf that day).
    ``fingerprints(dataset, iso_days)`` returns value_basis, kpi_date, inputs_fingerprint."""
    dataset = verdicts["kpi_name"].map(
        lambda name: getattr(KPI_MEASURES.get(name), "dataset", None)
    )
    rows = verdicts.assign(
        dataset=dataset,
        _basis=verdicts["verdict"].map(search_basis),
        _day=_day(verdicts["kpi_date"]),
    )[dataset.notna()]
    parts = [rows.iloc[0:0].assign(inputs_fingerprint=pd.Series(dtype="Int64"))]
    for name, part in rows.groupby("dataset", sort=True):
        prints = fingerprints(name, sorted({day.isoformat() for day in part["_day"]}))
        prints = prints.assign(_day=_day(prints["kpi_date"])).rename(
            columns={"value_basis": "_basis"}
        )[["_basis", "_day", "inputs_fingerprint"]]
        parts.append(part.merge(prints, on=["_basis", "_day"], how="left"))
    merged = pd.concat(parts, ignore_index=True).drop(columns="_basis")
    merged["inputs_fingerprint"] = merged["inputs_fingerprint"].astype("Int64")
    return merged


def split_carried(
    stored: pd.DataFrame, verdicts: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the stored causes still valid, the verdict rows to search). A stored cause is valid when
    a current verdict row has its key, verdict and inputs_fingerprint. Every other verdict row is
    searched, including one whose earlier search found no cause (nothing stored: cheap, as
    nothing stood out). ``stored`` without inputs_fingerprint (a table from before it) carries
    nothing."""
    if stored.empty or "inputs_fingerprint" not in stored.columns:
        return stored.iloc[0:0], verdicts
    current = verdicts[CARRY_KEY].dropna(subset=["inputs_fingerprint"]).drop_duplicates()
    stored = stored.assign(
        _day=_day(stored["kpi_date"]),
        inputs_fingerprint=stored["inputs_fingerprint"].astype("Int64"),
    )
    valid = stored.merge(current, on=CARRY_KEY, how="inner")
    todo = verdicts.merge(valid[CARRY_KEY].drop_duplicates(), on=CARRY_KEY, how="left",
                          indicator=True)  # fmt: skip
    todo = todo[todo["_merge"] == "left_only"].drop(columns="_merge").reset_index(drop=True)
    return valid.drop(columns="_day"), todo


def attach_fingerprints(causes: pd.DataFrame, verdicts: pd.DataFrame) -> pd.DataFrame:
    """``causes`` (root_causes' output for ``verdicts``) with their verdict row's fingerprint."""
    keys = verdicts[[*VERDICT_KEY, "inputs_fingerprint"]]
    causes = causes.assign(_day=_day(causes["kpi_date"]))
    merged = causes.merge(keys, on=VERDICT_KEY, how="left", validate="many_to_one")
    return merged.drop(columns="_day")
