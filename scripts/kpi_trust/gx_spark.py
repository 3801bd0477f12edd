"""The Great Expectations suites on Spark, through GE's own Spark execution engine.

The same suites (``gx_suites``), the same per-day loop and the same result rows
(``gx_validate.validate_specs`` and ``flatten``) as on DuckDB; only where a day's rows come from
differs: a GE Spark datasource with one dataframe asset per dataset, one batch per day (the
staged rows of that day, file order kept), validated by ``SparkDFExecutionEngine``.

Used by ``kpi_trust.spark_build`` inside a Spark `dbt build` (dbt-spark's session method runs
Spark in dbt's process, so GE validates on the session dbt is building with), before the Spark
version of the ``gx_validation_results`` model runs (docs/spark.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kpi_trust.gx_suites import DATASETS, DatasetSpec, spec_for
from kpi_trust.gx_validate import (
    BATCH_DAY_COLUMN,
    RESULT_FORMAT,
    RESULT_SCHEMA,
    SOURCE_ORDER_COLUMN,
    RunInfo,
    ValidationRun,
    _ephemeral_context,
    flatten,
    validate_specs,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DATASOURCE_NAME = "kpi_trust_spark"


def raw_values_frame(spark: SparkSession, dataset: str, table: str) -> DataFrame:
    """A staging table with the raw values of normalised columns put back (as
    ``gx_validate.raw_values_source`` does in SQL on DuckDB): e.g. ``status`` <- ``status_raw``,
    every other staging column kept in place."""
    from pyspark.sql import functions as F

    frame = spark.table(table)
    for column, raw in spec_for(dataset).raw_value_columns:
        frame = frame.withColumn(column, F.col(raw))
    return frame


class SparkDays:
    """The day batches of one dataset on Spark: its staged rows with a day, cached once, and a
    filter per day on a GE dataframe asset (``gx_validate.validate_specs`` drives it)."""

    def __init__(self, datasource: Any, frames: Mapping[str, DataFrame]):
        self.datasource, self.frames = datasource, frames
        self.staged: dict[str, DataFrame] = {}
        self.definitions: dict[str, Any] = {}

    def counts(self, spec: DatasetSpec) -> dict[dt.date, int]:
        from pyspark.sql import functions as F

        staged = (
            self.frames[spec.dataset]
            .where(F.col(BATCH_DAY_COLUMN).isNotNull())
            .orderBy(BATCH_DAY_COLUMN, SOURCE_ORDER_COLUMN)
            .cache()
        )
        self.staged[spec.dataset] = staged
        asset = self.datasource.add_dataframe_asset(name=spec.dataset)
        self.definitions[spec.dataset] = asset.add_batch_definition_whole_dataframe("day")
        counts = staged.groupBy(BATCH_DAY_COLUMN).count().collect()
        return {row[BATCH_DAY_COLUMN]: int(row["count"]) for row in counts}

    def stage(self, spec: DatasetSpec, days: Sequence[dt.date] | None = None) -> None:
        """Nothing to do: ``counts`` cached the dataset's rows, and each batch filters its day."""

    def batch(self, spec: DatasetSpec, day: dt.date) -> Any:
        from pyspark.sql import functions as F

        rows = self.staged[spec.dataset].where(F.col(BATCH_DAY_COLUMN) == F.lit(day))
        return self.definitions[spec.dataset].get_batch(batch_parameters={"dataframe": rows})

    def release(self, spec: DatasetSpec) -> None:
        self.staged.pop(spec.dataset).unpersist()


def validate_daily_spark(
    spark: SparkSession,
    tables: Mapping[str, str],
    run: RunInfo,
    *,
    specs: Sequence[DatasetSpec] = DATASETS,
    result_format: str = RESULT_FORMAT,
) -> ValidationRun:
    """Validate every day of every dataset in ``tables`` (dataset name -> Spark table name of
    its staging model) with GE's Spark execution engine, on ``spark`` (the active session)."""
    context = _ephemeral_context()
    datasource = context.data_sources.add_spark(name=DATASOURCE_NAME)
    frames = {dataset: raw_values_frame(spark, dataset, table) for dataset, table in tables.items()}
    validation = ValidationRun(run=run)
    validate_specs(SparkDays(datasource, frames), tables, specs, result_format, validation)
    validation.rows = list(flatten(validation.days, run))
    return validation


def to_spark(spark: SparkSession, rows: Sequence[Mapping[str, Any]]) -> DataFrame:
    """Rows as a Spark DataFrame with ``RESULT_SCHEMA``'s columns and types."""
    from pyspark.sql import types as T

    kinds = {
        "string": T.StringType(),
        "int64": T.LongType(),
        "float64": T.DoubleType(),
        "bool": T.BooleanType(),
        "date32": T.DateType(),
        "timestamp": T.TimestampType(),
    }
    schema = T.StructType([T.StructField(name, kinds[kind]) for name, kind in RESULT_SCHEMA])
    names = [name for name, _ in RESULT_SCHEMA]
    return spark.createDataFrame([tuple(row[name] for name in names) for row in rows], schema)
