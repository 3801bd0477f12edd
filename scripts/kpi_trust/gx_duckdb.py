"""The one shim that lets Great Expectations 1.24 run SQL-pushdown validations on DuckDB.

GE reaches DuckDB through SQLAlchemy + ``duckdb-engine``. Out of the box every metric
expectation then fails with ``MetricResolutionError: list index out of range`` (upstream
great_expectations #10738 and #11579; native DuckDB support is PR #12084, still open). Three
small patches fix it; each one says why it is needed so it can be dropped when upstream moves:

1. **Persisted connection** (``_persist_connection``). ``SqlAlchemyExecutionEngine.execute_query``
   leaves ``with self.get_connection()`` *before* the caller calls ``fetchall()``. For most
   dialects the pool keeps the DBAPI cursor alive; a ``duckdb-engine`` connection that is closed
   drops its pending result, so ``fetchall()`` returns ``[]`` and ``resolve_metric_bundle`` fails
   on ``res[0]`` (the IndexError of #11579). GE already keeps one open connection for SQLite,
   SQL Server, BigQuery and Databricks (``_PERSISTED_CONNECTION_DIALECTS`` in
   ``great_expectations.execution_engine.sqlalchemy_execution_engine``); adding ``duckdb`` to
   that tuple gives DuckDB the same ``StaticPool`` + never-closed connection.
2. **A PostgreSQL-compatible ``dialect_module``** (``_pg_dialect_module``). GE picks dialect
   behaviour (LIKE patterns, type names) from ``execution_engine.dialect_module``; for an unknown
   dialect it is ``None``. ``duckdb_engine.Dialect`` derives from the psycopg2 PostgreSQL
   dialect, but GE compares against ``sqlalchemy.dialects.postgresql.dialect`` (psycopg 3 in
   SQLAlchemy 2.1), so nothing matches and LIKE expectations raise "not supported". We give
   DuckDB engines a module that is the PostgreSQL dialect module plus a marker, so LIKE and type
   lookups take GE's PostgreSQL path (DuckDB speaks PostgreSQL's LIKE/ESCAPE syntax).
3. **Regex via ``regexp_matches()``** (``_map_regex``). GE's regex metrics are substring searches
   (``re.search``). Left to the PostgreSQL path they would compile to ``col ~ 'pattern'``, whose
   meaning is DuckDB's choice and has changed between versions; ``regexp_matches(col, pattern)``
   is DuckDB's documented search-semantics function, so we emit it explicitly for DuckDB.

``apply()`` is idempotent and cheap; call it before building a GE data source on DuckDB.
``tests/python/test_gx_shim.py`` runs every expectation type we use with and without the shim,
so the day upstream fixes DuckDB the test tells us to delete this module.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable
from typing import Any

DUCKDB_DIALECT = "duckdb"
# Marker attribute on the dialect module we hand to DuckDB engines (patch 2), read by patch 3.
_MARKER = "__kpi_trust_duckdb_dialect__"
# Marker attribute on functions this module wrapped, so re-applying never double-wraps.
_WRAPPED = "__kpi_trust_gx_duckdb_shim__"

_ENGINE_MODULE = "great_expectations.execution_engine.sqlalchemy_execution_engine"
_METRICS_UTIL_MODULE = "great_expectations.expectations.metrics.util"


class _DialectName(str):
    """``"duckdb"`` as GE's persisted-dialect checks need it.

    GE tests membership with ``dialect_name in _PERSISTED_CONNECTION_DIALECTS`` (a plain string
    compare) and, before the engine exists, with ``connection_string.startswith(d.value)``.
    ``GXSqlDialect`` is an Enum that cannot gain members, so a ``str`` with a ``value`` property
    satisfies both without touching the Enum.
    """

    @property
    def value(self) -> str:
        """The dialect name, mirroring ``GXSqlDialect.value``."""
        return str(self)


def _engine_module() -> types.ModuleType:
    """Import GE's SQLAlchemy execution engine module (GE takes ~4 s to import: do it lazily)."""
    import great_expectations.execution_engine.sqlalchemy_execution_engine as engine_module

    return engine_module


def _persist_connection() -> None:
    """Patch 1: keep one open connection for ``duckdb`` engines (see the module docstring)."""
    engine_module = _engine_module()
    dialects = getattr(engine_module, "_PERSISTED_CONNECTION_DIALECTS", None)
    if dialects is None:
        raise RuntimeError(
            f"{_ENGINE_MODULE}._PERSISTED_CONNECTION_DIALECTS is gone: Great Expectations changed "
            "how it persists connections. Re-check upstream #11579 / PR #12084 and update "
            "kpi_trust.gx_duckdb."
        )
    if DUCKDB_DIALECT not in dialects:
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DialectName(DUCKDB_DIALECT))


def _duckdb_dialect_module() -> types.ModuleType:
    """The PostgreSQL dialect module, copied under a new name with a DuckDB marker."""
    import sqlalchemy.dialects.postgresql as postgresql

    module = types.ModuleType("kpi_trust_gx_duckdb_dialect", "PostgreSQL dialect, used for DuckDB")
    module.__dict__.update(
        {key: value for key, value in vars(postgresql).items() if not key.startswith("__")}
    )
    setattr(module, _MARKER, True)
    return module


def _pg_dialect_module() -> None:
    """Patch 2: give DuckDB engines a PostgreSQL-compatible ``dialect_module``."""
    engine_class = _engine_module().SqlAlchemyExecutionEngine
    original_init = engine_class.__init__
    if getattr(original_init, _WRAPPED, False):
        return
    dialect_module = _duckdb_dialect_module()

    @functools.wraps(original_init)
    def init_with_duckdb_dialect_module(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.dialect_name == DUCKDB_DIALECT and self.dialect_module is None:
            self.dialect_module = dialect_module

    setattr(init_with_duckdb_dialect_module, _WRAPPED, True)
    engine_class.__init__ = init_with_duckdb_dialect_module


def is_duckdb_dialect(dialect: Any) -> bool:
    """True for the dialect objects GE passes to regex builders when the backend is DuckDB.

    With patch 2 that is our marked module; without it, the engine's ``duckdb_engine.Dialect``
    instance (or class), whose ``name`` is ``"duckdb"``.
    """
    if getattr(dialect, _MARKER, False):
        return True
    return getattr(dialect, "name", None) == DUCKDB_DIALECT


def _map_regex() -> None:
    """Patch 3: build GE's regex conditions with DuckDB's ``regexp_matches()``."""
    import importlib

    import sqlalchemy as sa

    util = importlib.import_module(_METRICS_UTIL_MODULE)
    original = util.get_dialect_regex_expression
    if getattr(original, _WRAPPED, False):
        return

    @functools.wraps(original)
    def get_dialect_regex_expression(
        column: Any, regex: str, dialect: Any, positive: bool = True
    ) -> Any:
        if is_duckdb_dialect(dialect):
            matches = sa.func.regexp_matches(column, sa.literal(regex))
            return matches if positive else sa.not_(matches)
        return original(column, regex, dialect, positive)

    setattr(get_dialect_regex_expression, _WRAPPED, True)
    _rebind(original, get_dialect_regex_expression)


def _rebind(original: Callable[..., Any], replacement: Callable[..., Any]) -> None:
    """Point every loaded GE module that imported ``original`` by name at ``replacement``.

    The regex metric modules do ``from ...metrics.util import get_dialect_regex_expression``,
    so patching ``util`` alone misses the copies they already hold. Modules imported later copy
    the patched attribute from ``util`` themselves.
    """
    for name, module in list(sys.modules.items()):
        if not name.startswith("great_expectations") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if value is original:
                setattr(module, attribute, replacement)


def apply() -> None:
    """Apply all three patches (idempotent). Call before adding a GE SQL data source on DuckDB."""
    # Import the expectation/metric registry first so _rebind sees every regex metric module.
    import great_expectations.expectations  # noqa: F401

    _persist_connection()
    _pg_dialect_module()
    _map_regex()


def is_applied() -> bool:
    """Whether ``apply()`` has run in this process (all three patches in place)."""
    if "great_expectations" not in sys.modules:
        return False
    import importlib

    engine_module = _engine_module()
    util = importlib.import_module(_METRICS_UTIL_MODULE)
    return (
        DUCKDB_DIALECT in engine_module._PERSISTED_CONNECTION_DIALECTS
        and getattr(engine_module.SqlAlchemyExecutionEngine.__init__, _WRAPPED, False)
        and getattr(util.get_dialect_regex_expression, _WRAPPED, False)
    )
