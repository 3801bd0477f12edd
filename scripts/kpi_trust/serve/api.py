"""The read API: KPIs with their trust, anomalies, verdicts and root causes, and `POST /score`.

Every read opens the warehouse ``read_only`` for that request and closes it after, so the API
never holds the file: a ``dbt build`` can start at any time, and while it writes, reads answer
503 with a message saying why (``WarehouseBusy``), not a crash. ``POST /score`` and
``POST /score/csv`` run the detectors of ``kpi-trust detect`` (``kpi_trust.anomaly``) on the
caller's series, without touching the warehouse. Set ``KPI_TRUST_API_TOKEN`` to require
``Authorization: Bearer <token>`` on every data endpoint. OpenAPI docs: ``/docs``.
"""

from __future__ import annotations

import math
import os
import secrets
from datetime import date, datetime
from typing import Annotated, Any

import duckdb
import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, model_validator

from kpi_trust.serve.queries import (
    KPI_CATALOGUE_SQL,
    dataset_trust_sql,
    kpi_rows_sql,
    kpi_series_sql,
    quality_signals_sql,
    where_clause,
)
from kpi_trust.serve.warehouse import (
    WarehouseBusy,
    WarehouseMissing,
    connect,
    has_table,
    root_cause_sql,
)

TOKEN_ENV = "KPI_TRUST_API_TOKEN"
MAX_LIMIT = 5000
MAX_POINTS = 100_000  # one request's series: ~270 years of days, or ~70 days of minutes

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")]
Offset = Annotated[int, Query(ge=0, description="rows to skip (the previous next_offset)")]


class Page(BaseModel):
    """One page of rows; ``next_offset`` is null on the last page."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class Point(BaseModel):
    timestamp: str = Field(description="ISO date or timestamp")
    value: float | None = Field(description="the measurement; null = missing")


class ScoreRequest(BaseModel):
    """A series to score: ``points``, or parallel ``timestamps`` and ``values``."""

    points: list[Point] | None = None
    timestamps: list[str] | None = None
    values: list[float | None] | None = None
    consensus: int = Field(2, ge=1, le=3, description="detectors that must agree (1-3)")

    @model_validator(mode="after")
    def _one_shape(self) -> ScoreRequest:
        if self.points is None and self.timestamps is None:
            raise ValueError("send `points` or `timestamps` + `values`")
        if self.points is not None and self.timestamps is not None:
            raise ValueError("send either `points` or `timestamps` + `values`, not both")
        if self.timestamps is not None and len(self.timestamps) != len(self.values or []):
            raise ValueError("`timestamps` and `values` must have the same length")
        n = len(self.points) if self.points is not None else len(self.timestamps or [])
        if n == 0:
            raise ValueError("the series is empty")
        if n > MAX_POINTS:
            raise ValueError(f"at most {MAX_POINTS} points per request")
        return self


def _auth(
    credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))
    ],
) -> None:
    token = os.environ.get(TOKEN_ENV)
    if not token:
        return
    if credentials is None or not secrets.compare_digest(credentials.credentials, token):
        raise HTTPException(
            401,
            "a bearer token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.copy()
    for column in frame.columns:  # DuckDB dates arrive as datetimes: give `_date` columns as days
        if str(column).endswith("_date") and pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d").astype(object)
    columns = list(frame.columns)
    return [
        {c: _jsonable(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _read(sql, params: list, limit: int, offset: int, kpi: str | None = None) -> dict:
    """Run a paged read on a fresh read-only connection (``sql``: text, or a function of it).

    ``kpi``: a KPI name to check first, on the same connection (unknown: 404 naming the known).
    """
    try:
        con = connect()
    except (WarehouseBusy, WarehouseMissing) as error:
        raise HTTPException(503, str(error), headers={"Retry-After": "30"}) from error
    try:
        if kpi is not None:
            _check_kpi(con, kpi)
        if callable(sql):
            sql = sql(con)
        total = con.execute(f"select count(*) from ({sql})", params).fetchall()[0][0]
        frame = con.execute(f"{sql} limit ? offset ?", [*params, limit, offset]).df()
    except duckdb.CatalogException as error:
        raise HTTPException(
            503, f"the warehouse lacks a table this endpoint reads (run `make run`): {error}"
        ) from error
    finally:
        con.close()
    nxt = offset + limit if offset + limit < total else None
    return {
        "items": _records(frame),
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": nxt,
    }


class Filters:
    """Shared filters: KPI, date range, slice. Builds a parameterised where clause."""

    def __init__(
        self,
        kpi: Annotated[str | None, Query(description="kpi_name, e.g. api_success_rate")] = None,
        start: Annotated[date | None, Query(description="first day (YYYY-MM-DD)")] = None,
        end: Annotated[date | None, Query(description="last day (YYYY-MM-DD)")] = None,
        dimension_name: Annotated[
            str | None, Query(description="slice dimension: all, api_name, region, platform...")
        ] = None,
        dimension_value: Annotated[str | None, Query(description="slice value")] = None,
    ) -> None:
        if start and end and start > end:
            raise HTTPException(400, f"start ({start}) is after end ({end})")
        if dimension_value is not None and dimension_name is None:
            raise HTTPException(400, "dimension_value needs dimension_name")
        self.kpi, self.start, self.end = kpi, start, end
        self.dimension_name, self.dimension_value = dimension_name, dimension_value

    def where(
        self,
        date_column: str = "kpi_date",
        kpi_column: str | None = "kpi_name",
        slice_columns: tuple[str, str] = ("dimension_name", "dimension_value"),
    ) -> tuple[str, list]:
        """The filters as a parameterised where clause (``queries.where_clause``)."""
        return where_clause(
            kpi=self.kpi,
            start=self.start,
            end=self.end,
            dimension_name=self.dimension_name,
            dimension_value=self.dimension_value,
            date_column=date_column,
            kpi_column=kpi_column,
            slice_columns=slice_columns,
        )


def _check_kpi(con, kpi: str) -> None:
    """Unknown KPI names are a 404 naming the known ones, not an empty page."""
    names = [r[0] for r in con.execute("select kpi_name from kpi_definitions").fetchall()]
    if kpi not in names:
        raise HTTPException(404, f"unknown kpi '{kpi}' (known: {', '.join(sorted(names))})")


class _optional_connection:
    """A read-only connection or None (for optional-table probes that must not fail a read)."""

    def __enter__(self):
        try:
            self.con = connect()
        except (WarehouseBusy, WarehouseMissing, duckdb.Error):
            self.con = None
        return self.con

    def __exit__(self, *exc) -> None:
        if self.con is not None:
            self.con.close()


def score_frame(timestamps, values, consensus: int) -> pd.DataFrame:
    """The detectors of `kpi-trust detect` on one series (kpi_trust.anomaly.detect_series)."""
    from kpi_trust.anomaly import DetectConfig, detect_series

    return detect_series(timestamps, values, DetectConfig(consensus=consensus))


def score_csv_text(text: str, consensus: int, name: str = "upload.csv") -> pd.DataFrame:
    """Score every numeric column of a CSV, exactly as `kpi-trust detect FILE.csv` does."""
    from kpi_trust.cli import UserError
    from kpi_trust.detect import load_series_text

    try:
        _, times, columns = load_series_text(text, name)
    except UserError as error:
        raise HTTPException(400, str(error)) from error
    parts = []
    for column, numbers in columns.items():
        scored = score_frame(times, numbers, consensus)
        scored.insert(1, "column", column)
        parts.append(scored)
    return pd.concat(parts, ignore_index=True)


def create_app() -> FastAPI:
    app = FastAPI(
        title="KPI Trust Warehouse API",
        version="1.0",
        description=(
            "Read-only access to the warehouse's KPIs with their trust score, reasons, anomaly "
            "bands, verdicts and root causes; `POST /score` runs the anomaly detectors of "
            "`kpi-trust detect` on a series you send. Pages: `limit` / `offset`, "
            "`next_offset` null on the last page. While a build writes the warehouse, reads "
            "answer 503. With KPI_TRUST_API_TOKEN set, send `Authorization: Bearer <token>`."
        ),
    )
    auth = [Depends(_auth)]

    @app.exception_handler(WarehouseBusy)
    async def _busy(_: Request, error: WarehouseBusy) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503, headers={"Retry-After": "30"})

    @app.get("/health", summary="is the warehouse readable now")
    def health() -> dict:
        try:
            con = connect()
        except (WarehouseBusy, WarehouseMissing) as error:
            raise HTTPException(503, str(error), headers={"Retry-After": "30"}) from error
        try:
            last = con.execute("select max(kpi_date) from kpi_daily").fetchall()[0][0]
            roots = has_table(con, "kpi_root_causes")
        finally:
            con.close()
        return {"status": "ok", "last_kpi_date": _jsonable(last), "root_causes": roots}

    @app.get("/kpis", response_model=Page, dependencies=auth, summary="the KPI catalogue")
    def kpis(limit: Limit = 100, offset: Offset = 0) -> dict:
        return _read(KPI_CATALOGUE_SQL, [], limit, offset)

    @app.get(
        "/kpis/series",
        response_model=Page,
        dependencies=auth,
        summary="KPI values with trust, reasons, anomaly band, verdict and top root cause",
    )
    def series(
        filters: Annotated[Filters, Depends()],
        only_alerts: Annotated[
            bool, Query(description="only low-trust rows or rows with a verdict")
        ] = False,
        limit: Limit = 500,
        offset: Offset = 0,
    ) -> dict:
        where, params = filters.where()
        if only_alerts:
            where += " and (trust_level = 'low' or verdict is not null)"
        return _read(
            lambda con: kpi_series_sql(con, where),
            params,
            limit,
            offset,
            kpi=filters.kpi,
        )

    @app.get("/trust", response_model=Page, dependencies=auth, summary="kpi_trust_daily rows")
    def trust(
        filters: Annotated[Filters, Depends()],
        level: Annotated[str | None, Query(pattern="^(high|medium|low|insufficient_data)$")] = None,
        limit: Limit = 500,
        offset: Offset = 0,
    ) -> dict:
        where, params = filters.where()
        if level:
            where += " and trust_level = ?"
            params.append(level)
        return _read(
            kpi_rows_sql("kpi_trust_daily", "kpi_trust_id", where),
            params,
            limit,
            offset,
            kpi=filters.kpi,
        )

    @app.get("/anomalies", response_model=Page, dependencies=auth, summary="kpi_anomalies_daily")
    def anomalies(
        filters: Annotated[Filters, Depends()],
        basis: Annotated[str, Query(pattern="^(adjusted|reported)$")] = "adjusted",
        flagged_only: bool = True,
        limit: Limit = 500,
        offset: Offset = 0,
    ) -> dict:
        where, params = filters.where()
        where += " and value_basis = ?"
        params.append(basis)
        if flagged_only:
            where += " and is_anomaly"
        return _read(
            kpi_rows_sql("kpi_anomalies_daily", "kpi_anomaly_id", where),
            params,
            limit,
            offset,
            kpi=filters.kpi,
        )

    @app.get("/verdicts", response_model=Page, dependencies=auth, summary="kpi_verdicts_daily")
    def verdicts(
        filters: Annotated[Filters, Depends()],
        verdict: Annotated[
            str | None,
            Query(pattern="^(data_incident|real_movement|repaired_incident|uncertain)$"),
        ] = None,
        limit: Limit = 500,
        offset: Offset = 0,
    ) -> dict:
        where, params = filters.where()
        if verdict:
            where += " and verdict = ?"
            params.append(verdict)
        return _read(
            kpi_rows_sql("kpi_verdicts_daily", "kpi_verdict_id", where),
            params,
            limit,
            offset,
            kpi=filters.kpi,
        )

    @app.get(
        "/root-causes",
        response_model=Page,
        dependencies=auth,
        summary="top root cause per KPI, day and slice (empty until kpi_root_causes exists)",
    )
    def root_causes(
        filters: Annotated[Filters, Depends()], limit: Limit = 500, offset: Offset = 0
    ) -> dict:
        with _optional_connection() as con:
            sql = root_cause_sql(con) if con is not None else None
        if sql is None:
            return {"items": [], "total": 0, "limit": limit, "offset": offset, "next_offset": None}
        where, params = filters.where()
        return _read(
            f"select * from ({sql}) where {where} order by kpi_date", params, limit, offset
        )

    @app.get("/quality", response_model=Page, dependencies=auth, summary="quality_signals_daily")
    def quality(
        filters: Annotated[Filters, Depends()],
        dataset: Annotated[str | None, Query(pattern="^[a-z_]+$")] = None,
        unhealthy_only: Annotated[bool, Query(description="only health < 1")] = True,
        limit: Limit = 500,
        offset: Offset = 0,
    ) -> dict:
        where, params = filters.where(
            date_column="signal_date",
            kpi_column=None,
            slice_columns=("slice_dimension", "slice_value"),
        )
        if dataset:
            where += " and dataset = ?"
            params.append(dataset)
        if unhealthy_only:
            where += " and health < 1"
        return _read(quality_signals_sql(where), params, limit, offset)

    @app.get(
        "/datasets/trust", response_model=Page, dependencies=auth, summary="dataset_trust_daily"
    )
    def dataset_trust(
        filters: Annotated[Filters, Depends()], limit: Limit = 500, offset: Offset = 0
    ) -> dict:
        where, params = filters.where(date_column="trust_date", kpi_column=None)
        return _read(dataset_trust_sql(where), params, limit, offset)

    @app.get("/alerts", response_model=Page, dependencies=auth, summary="alerts_sent")
    def alerts_sent(limit: Limit = 500, offset: Offset = 0) -> dict:
        with _optional_connection() as con:
            exists = con is not None and has_table(con, "alerts_sent")
        if not exists:
            return {"items": [], "total": 0, "limit": limit, "offset": offset, "next_offset": None}
        sql = "select * exclude (payload) from alerts_sent order by first_date, alert_id"
        return _read(sql, [], limit, offset)

    @app.post("/score", dependencies=auth, summary="score a series with the warehouse's detectors")
    def score(request: ScoreRequest) -> dict:
        if request.points is not None:
            timestamps = [p.timestamp for p in request.points]
            values = [p.value for p in request.points]
        else:
            timestamps, values = request.timestamps or [], request.values or []
        parsed = pd.to_datetime(pd.Series(timestamps), errors="coerce", format="mixed")
        bad = parsed.isna()
        if bad.any():
            index = int(bad.to_numpy().nonzero()[0][0])
            raise HTTPException(
                400, f"timestamp {index} ({timestamps[index]!r}) is not a date or timestamp"
            )
        numbers = [math.nan if v is None else v for v in values]
        out = score_frame(parsed, numbers, request.consensus)
        rows = _records(out)
        return {
            "n_points": len(rows),
            "n_anomalies": int(out["is_anomaly"].sum()),
            "consensus": request.consensus,
            "anomalies": [r for r in rows if r["is_anomaly"]],
            "rows": rows,
        }

    @app.post(
        "/score/csv",
        dependencies=auth,
        summary="score every numeric column of a CSV body (text/csv), as `kpi-trust detect`",
        response_class=PlainTextResponse,
    )
    async def score_csv(
        request: Request,
        consensus: Annotated[int, Query(ge=1, le=3)] = 2,
        output: Annotated[str, Query(pattern="^(csv|json)$")] = "csv",
    ):
        body = await request.body()
        if len(body) > 20_000_000:
            raise HTTPException(413, "the CSV is larger than 20 MB")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise HTTPException(400, "the body is not UTF-8 text") from error
        out = score_csv_text(text, consensus)
        if output == "json":
            return JSONResponse(
                {"rows": _records(out), "n_anomalies": int(out["is_anomaly"].sum())}
            )
        return PlainTextResponse(out.to_csv(index=False), media_type="text/csv")

    from kpi_trust.serve.dashboard import register_pages

    register_pages(app)

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(
            '<p><a href="/dashboard">Dashboard</a> · <a href="/docs">API docs</a></p>'
        )

    return app
