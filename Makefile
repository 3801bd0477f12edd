# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COMPAT := $(VENV)/duckdb14
SEED ?= 42

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export KPI_TRUST_DB ?= $(CURDIR)/warehouse/kpi_trust.duckdb
# Relative and inside the project: dbt writes compiled seed SQL to target/run/<project>/<seed path>.
export KPI_TRUST_SEED_DIR ?= data/generated

.PHONY: help install generate build run test lint bench clean

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

generate: install ## write the default labelled dataset (CSV seeds) to $KPI_TRUST_SEED_DIR
	$(BIN)/kpi-trust generate --seed $(SEED) --out $(KPI_TRUST_SEED_DIR)

# duckdb 2.0's bindings print ~40 harmless "nanobind: leaked ..." lines when a process that ran
# Great Expectations exits; drop exactly those from stderr (dbt's exit status is kept).
NANOBIND_NOISE := ^(nanobind: |See https://nanobind| - leaked | - \.\.\. skipped remainder)

build: install ## dbt build into $KPI_TRUST_DB
	@mkdir -p $(dir $(KPI_TRUST_DB))
	$(BIN)/dbt build 2> >(grep -Ev '$(NANOBIND_NOISE)' >&2)

run: generate build ## install, generate the default data, build the warehouse
	@$(BIN)/kpi-trust where

test: install ## install, then run every test (pytest builds small warehouses with dbt)
	$(BIN)/pytest

lint: install ## ruff on Python code
	$(BIN)/ruff check scripts tests bench
	$(BIN)/ruff format --check scripts tests bench

bench: install ## benchmarks (large data; minutes). Results go to docs/benchmarks.md by hand
	$(BIN)/python bench/run_all.py

clean: ## remove build output (keeps .venv)
	rm -rf target logs warehouse data gx/uncommitted
