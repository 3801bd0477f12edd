"""Run dbt on Spark inside this process: `python -m kpi_trust.spark_build <dbt command> [args]`.

dbt-spark's session method runs Spark in dbt's own process (pyspark, one JVM). Running dbt through
``dbtRunner`` here instead of the ``dbt`` executable gives two things:

* **Great Expectations on Spark, inside the build.** dbt-spark runs dbt Python models only on
  Databricks, so on Spark ``gx_validation_results`` is a SQL model
  (models/quality/spark/gx_validation_results.sql) that stores the rows GE produced. They are
  produced here: when dbt starts that model (its NodeStart event, fired in the worker thread
  before the model compiles, after both staging models it refs are built), ``GxOnSpark``
  validates the two staging tables with GE's Spark execution engine on dbt's own Spark session
  (kpi_trust.gx_spark, the DuckDB model's suites and rows) and hands the rows to the model as the
  global temp view HANDOFF_VIEW, stamped with this invocation's id. A plain `dbt build` on Spark
  has no such hook: the model then stores no rows and the build says so in one line.
* **One JVM for several dbt commands** (``--steps``: the Spark equality test's builds pay the
  JVM start and its warm-up once, docs/testing.md).

Runs with .venv-spark's Python (`make install-spark`), which has dbt-spark, pyspark and this
package; not .venv's (no Spark there).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# The Spark gx_validation_results model and the staging models GE validates (gx_suites specs).
GX_MODEL = "model.kpi_trust.gx_validation_results"
# Global temp view (Spark session-wide) through which GE's rows reach the model.
HANDOFF_VIEW = "kpi_trust_gx_validation_results"
# Set in this process while GxOnSpark is hooked into the build (read by the model: without it, a
# plain `dbt build`, GE did not run); and the error text when GE failed.
RUNNER_ENV = "KPI_TRUST_GX_SPARK_RUNNER"
ERROR_ENV = "KPI_TRUST_GX_SPARK_ERROR"


def staging_tables(target_path: Path) -> dict[str, str]:
    """dataset -> Spark table of its staging model, from the manifest dbt wrote at parse time."""
    from kpi_trust.gx_suites import DATASETS

    nodes = json.loads((target_path / "manifest.json").read_text())["nodes"]
    return {
        spec.dataset: nodes[f"model.kpi_trust.{spec.staging_model}"]["relation_name"]
        for spec in DATASETS
    }


class GxOnSpark:
    """dbt event callback: runs the GE suites on Spark when the gx_validation_results model
    starts (see the module docstring). Never raises into dbt (a callback's exception would stop
    dbt's worker thread): a failure is left in ERROR_ENV, and the model fails with it."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self, event: Any) -> None:
        if event.info.name != "NodeStart" or event.data.node_info.unique_id != GX_MODEL:
            return
        try:
            self.validate()
        except Exception as error:  # reported by the model, see ERROR_ENV
            os.environ[ERROR_ENV] = f"{type(error).__name__}: {error}"

    def validate(self) -> None:
        from dbt.flags import get_flags
        from pyspark.sql import SparkSession

        from kpi_trust import gx_spark, gx_validate

        flags = get_flags()
        target_path = Path(
            getattr(flags, "TARGET_PATH", None)
            or Path(getattr(flags, "PROJECT_DIR", None) or ".") / "target"
        )
        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        run = gx_validate.current_run()
        validation = gx_spark.validate_daily_spark(spark, staging_tables(target_path), run)
        gx_spark.to_spark(spark, validation.rows).createOrReplaceGlobalTempView(HANDOFF_VIEW)
        if os.environ.get("KPI_TRUST_GX_DATA_DOCS", "1") != "0":
            gx_validate.build_data_docs(validation, Path(os.environ.get("KPI_TRUST_GX_DIR", "gx")))
        self.ran = True
        print(
            f"spark: Great Expectations ran on Spark: {len(validation.rows)} results "
            f"({len(validation.days)} dataset-days) for gx_validation_results",
            flush=True,
        )


def invoke(args: Sequence[str], env: Mapping[str, str] | None = None) -> Any:
    """Run one dbt command (e.g. ``["build", "--select", "x"]``) in this process with ``env``
    added to the environment, GE on Spark hooked in; return dbt's ``dbtRunnerResult``."""
    from dbt.cli.main import dbtRunner

    os.environ.update(env or {})
    os.environ.pop(ERROR_ENV, None)
    os.environ[RUNNER_ENV] = "1"
    try:
        return dbtRunner(callbacks=[GxOnSpark()]).invoke(list(args))
    finally:
        os.environ.pop(RUNNER_ENV, None)


def failed_nodes(result: Any) -> list[str]:
    """``unique_id: status message`` of every node that errored or failed in ``result``."""
    results = getattr(result.result, "results", None) or []
    return [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in results
        if str(r.status) in {"error", "fail", "runtime error"}
    ]


def run_steps(steps: Sequence[Mapping[str, Any]]) -> int:
    """Run dbt commands one after another in this process (one Spark session); stop at the
    first failing one. Each step is ``{"args": [...], "env": {...}}``."""
    for number, step in enumerate(steps, 1):
        args = list(step["args"])
        print(f"== spark step {number}/{len(steps)}: dbt {' '.join(args)}", flush=True)
        result = invoke(args, step.get("env"))
        if not result.success:
            print(
                f"== spark step {number} failed: dbt {' '.join(args)}: "
                f"{result.exception or ''} {failed_nodes(result)}",
                flush=True,
            )
            return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kpi_trust.spark_build",
        description="Run dbt commands on Spark (dbt-spark session) inside this process.",
    )
    parser.add_argument(
        "--steps",
        type=Path,
        help='JSON file: a list of {"args": [dbt args], "env": {VAR: value}} run in one session',
    )
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER, help="one dbt command and its args")
    args = parser.parse_args(argv)
    if args.steps:
        return run_steps(json.loads(args.steps.read_text()))
    if not args.dbt_args:
        parser.error("give a dbt command (e.g. build) or --steps FILE")
    result = invoke(args.dbt_args)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
