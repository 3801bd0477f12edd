# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DASHBOARD_STAMP := $(VENV)/.installed-dashboard
COMPAT := $(VENV)/duckdb14
SEED ?= 42

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export KPI_TRUST_DB ?= $(CURDIR)/warehouse/kpi_trust.duckdb
# Relative and inside the project: dbt writes compiled seed SQL to target/run/<project>/<seed path>.
export KPI_TRUST_SEED_DIR ?= data/generated

.PHONY: help install install-dashboard install-spark java test-spark test-spark-full browser generate build run report test test-slow lint docs serve dashboard bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@# A DuckDB 1.4 LTS client, only to test that the warehouse file opens in older clients.
	$(BIN)/pip install -q --disable-pip-version-check --target $(COMPAT) "duckdb==1.4.*"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install pinned dependencies (once)

# The dashboard's optional extra (Streamlit, ~70 MB more): only `make dashboard` and `make test`
# (the dashboard's own tests) need it, so `make run` stays lean.
$(DASHBOARD_STAMP): $(STAMP) requirements-dashboard.txt constraints.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dashboard.txt -c constraints.txt
	touch $(DASHBOARD_STAMP)

install-dashboard: $(DASHBOARD_STAMP) ## add the dashboard's optional extra (Streamlit, pinned) to .venv (once)

# The Spark engine (docs/spark.md) in a venv of its own: dbt-spark[session] + pyspark need Java 17
# (JAVA_HOME or `java` on PATH) and weigh ~630 MB, so the DuckDB path's .venv does not carry them.
SPARK_VENV ?= .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed

$(SPARK_STAMP): requirements-spark.txt constraints-spark.txt pyproject.toml
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install -q --disable-pip-version-check -r requirements-spark.txt -c constraints-spark.txt
	@# kpi_trust itself (GE suites, `kpi-trust build` on Spark), without .venv's DuckDB-side deps.
	$(SPARK_VENV)/bin/pip install -q --disable-pip-version-check --no-deps -e .
	touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP) ## create .venv-spark: dbt-spark[session] + pyspark (once; needs Java 17)

generate: install ## write the default labelled dataset (CSV seeds) to $KPI_TRUST_SEED_DIR
	$(BIN)/kpi-trust generate --seed $(SEED) --out $(KPI_TRUST_SEED_DIR)

# `kpi-trust build` runs `dbt build`, checks the warehouse file first (locked by another
# process, not DuckDB, disk full) and ends a failed build with its cause in one line; Python
# tracebacks and duckdb's harmless "nanobind: leaked" exit noise go only to logs/.
build: install ## dbt build into $KPI_TRUST_DB (via kpi-trust build)
	$(BIN)/kpi-trust build

run: generate build ## install, generate the default data, build, write reports/ (then alerts, if configured)
	@$(BIN)/kpi-trust where
	@$(MAKE) --no-print-directory report
	@# Alerts only when configured (alerts.yml, KPI_TRUST_ALERTS_CONFIG or a channel env var).
	$(BIN)/kpi-trust alert --if-configured

# reports/index.html (one self-contained page), reports/memo.md + memo.pdf, reports/plots/*.png,
# from the warehouse `make run` built (docs/reports.md). Reads it read-only.
REPORT_DIR ?= reports

report: install ## write reports/: the HTML report, the decision memo (MD, PDF), PNG plots
	@test -f "$(KPI_TRUST_DB)" || { echo "no warehouse at $(KPI_TRUST_DB): run 'make run' first"; exit 2; }
	$(BIN)/kpi-trust report --db "$(KPI_TRUST_DB)" --out $(REPORT_DIR)

# The report's browser test renders reports/index.html in headless Chromium and reads the memo
# PDF's text with pdftotext: Debian's `chromium` and `poppler-utils`, installed once (as root,
# or with sudo) when missing. FACTS.md: chromium is not on a fresh machine.
browser: ## install headless Chromium and pdftotext (Debian packages) when missing
	@if command -v chromium >/dev/null && command -v pdftotext >/dev/null; then :; else \
		echo "== installing chromium and poppler-utils (apt-get)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium poppler-utils; \
	fi

test: install install-dashboard browser ## install (+ Streamlit, Chromium), then every test but the slow suites
	$(BIN)/pytest

test-slow: install ## the slow suites alone: full-size builds of four seeds (15-25 min)
	$(BIN)/pytest -m slow

# Java 17 for Spark: found on PATH, in JAVA_HOME or under /usr/lib/jvm (java-17-* / java-21-*,
# installed but not on PATH); else Debian's openjdk-17-jre-headless is installed (apt-get, as
# root or with sudo). The tests find it the same way (test_spark_equality.java_home).
JAVA_FOUND = command -v java >/dev/null || [ -x "$$JAVA_HOME/bin/java" ] || \
	ls /usr/lib/jvm/java-17-*/bin/java /usr/lib/jvm/java-21-*/bin/java >/dev/null 2>&1

java: ## install Java 17 (Debian openjdk-17-jre-headless) when none is found
	@$(JAVA_FOUND) || { \
		echo "== installing Java 17 (apt-get)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q openjdk-17-jre-headless; }

# The Spark equality test, CI-sized (tests/python/test_spark_equality.py, marker `spark`; run by
# .ci/run after `make test`): a small generated dataset, the models the compared tables read built
# on DuckDB and on Spark (dbt-spark session, local[2], .venv-spark), GE on both,
# gx_validation_results, kpi_daily, quality_signals_daily, kpi_trust_daily and
# dataset_trust_daily compared at 1e-9 relative, and one incremental day on Spark. 5-6 min on a
# loaded 2-core machine (docs/testing.md).
test-spark: install install-spark java ## the Spark equality test (CI-sized): same data on DuckDB and Spark, same tables (~6 min)
	$(BIN)/pytest -m spark tests/python/test_spark_equality.py

# The full Spark build (tests/python/test_spark_full.py, marker `spark_full`): every model, data
# test and unit test that runs on Spark, ~350 nodes; the same tables compared with DuckDB.
test-spark-full: install install-spark java ## the full dbt build on Spark, every data test, compared with DuckDB (10-25 min)
	$(BIN)/pytest -m spark_full tests/python/test_spark_full.py

# `make lint` builds a small warehouse of its own (30 days, seed dir data/lint: relative and inside
# the project, as dbt requires) in a temp dir, so docs coverage sees real columns in the catalog.
# The trust gate is calibrated for the 90-day default dataset: off for this small one.
LINT_SEED_DIR := data/lint
SQLFLUFF_PATHS := models tests/staging tests/marts tests/trust analyses

lint: install ## ruff, project policy, sqlfluff, dbt-score, dbt-coverage (builds a small warehouse; ~4 min)
	$(BIN)/ruff check scripts tests bench
	$(BIN)/ruff format --check scripts tests bench
	$(BIN)/kpi-trust kpi-docs --check
	@set -euo pipefail; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export KPI_TRUST_SEED_DIR=$(LINT_SEED_DIR) KPI_TRUST_DB=$$tmp/kpi.duckdb \
		DBT_TARGET_PATH=$$tmp/target DBT_LOG_PATH=$$tmp/logs KPI_TRUST_GX_DIR=$$tmp/gx \
		KPI_TRUST_MIN_RECALL=0 KPI_TRUST_MIN_PRECISION=0; \
	echo "== generate small dataset into $(LINT_SEED_DIR)"; \
	$(BIN)/kpi-trust generate --days 30 --api-calls-per-day 300 --players 3000 \
		--out $(LINT_SEED_DIR) > /dev/null; \
	echo "== dbt build + docs generate (small dataset, $$tmp)"; \
	$(BIN)/kpi-trust build --quiet; \
	$(BIN)/dbt docs generate --quiet; \
	echo "== project policy (project_policy.yml: naming, layers, primary keys, config, vars)"; \
	$(BIN)/kpi-trust check-policy --manifest $$tmp/target/manifest.json; \
	echo "== sqlfluff lint (after the build: staging reads the seeds' columns to compile)"; \
	$(BIN)/sqlfluff lint $(SQLFLUFF_PATHS); \
	echo "== dbt-score"; \
	$(BIN)/dbt-score lint --manifest $$tmp/target/manifest.json \
		--fail-project-under 8.0 --fail-any-item-under 7.0; \
	echo "== dbt-coverage (marts docs >= 0.95)"; \
	$(BIN)/dbt-coverage compute doc --run-artifacts-dir $$tmp/target \
		--cov-report $$tmp/coverage-doc-marts.json --model-path-filter models/marts \
		--cov-fail-under 0.95; \
	$(BIN)/dbt-coverage compute doc --run-artifacts-dir $$tmp/target \
		--cov-report $$tmp/coverage-doc.json; \
	$(BIN)/dbt-coverage compute test --run-artifacts-dir $$tmp/target \
		--cov-report $$tmp/coverage-test.json

# The docs site: dbt's own (lineage graph, every model and column described, the KPI catalogue,
# the __overview__ page in models/_overview__docs.md), generated from the warehouse `make run`
# built (its catalog holds the column types) and served on loopback until Ctrl-C.
DOCS_PORT ?= 8080

docs: install ## dbt docs generate + serve on http://127.0.0.1:8080 (DOCS_PORT; after make run)
	@test -f "$(KPI_TRUST_DB)" || { echo "no warehouse at $(KPI_TRUST_DB): run 'make run' first"; exit 2; }
	$(BIN)/dbt docs generate --quiet
	@echo "== docs at http://127.0.0.1:$(DOCS_PORT) (Ctrl-C stops the server)"
	$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# The read API and POST /score (FastAPI, with its lightweight HTML pages at /dashboard), loopback
# only (docs/serving.md).
SERVE_PORT ?= 8000

serve: install ## read API on http://127.0.0.1:8000 (/docs, POST /score, light pages at /dashboard)
	@test -f "$(KPI_TRUST_DB)" || { echo "no warehouse at $(KPI_TRUST_DB): run 'make run' first"; exit 2; }
	$(BIN)/kpi-trust serve --host 127.0.0.1 --port $(SERVE_PORT)

# The interactive dashboard: Streamlit over the warehouse, read-only; on 127.0.0.1, headless, with
# usage statistics off, so it makes no request off the machine. .streamlit/config.toml sets the
# same for a `streamlit run` typed by hand in the repo root.
DASHBOARD_PORT ?= 8501

dashboard: install-dashboard ## the Streamlit dashboard on http://127.0.0.1:8501 (DASHBOARD_PORT; after make run)
	@test -f "$(KPI_TRUST_DB)" || { echo "no warehouse at $(KPI_TRUST_DB): run 'make run' first (or set KPI_TRUST_DB)"; exit 2; }
	@echo "== dashboard at http://127.0.0.1:$(DASHBOARD_PORT) (Ctrl-C stops it)"
	$(BIN)/streamlit run scripts/kpi_trust/dashboard/app.py --server.port $(DASHBOARD_PORT) \
		--server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false

bench: install ## benchmarks (large data; minutes). Results go to docs/benchmarks.md by hand
	$(BIN)/python bench/run_all.py

clean: ## remove build output (keeps .venv)
	rm -rf target logs warehouse data gx/uncommitted reports
