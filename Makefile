# GlobalRetail warehouse. `make run` builds the warehouse on DuckDB; `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= default
DATA_DIR ?= $(CURDIR)/data
TEST_DATA_DIR ?= $(CURDIR)/data/ci

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup run build docs test lint test-python test-dbt verify-redshift browser postgres bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,airflow]'
	touch $@

setup: $(VENV)/.installed  ## create .venv and install the project (offline-safe pins)
	@mkdir -p $(DATA_DIR)

run: setup  ## generate default-scale data, build the warehouse on DuckDB, generate the docs
	WAREHOUSE_DATA_DIR=$(DATA_DIR) $(BIN)/warehouse generate --scale $(SCALE)
	WAREHOUSE_DATA_DIR=$(DATA_DIR) $(BIN)/warehouse build
	WAREHOUSE_DATA_DIR=$(DATA_DIR) $(BIN)/dbt docs generate --quiet
	@echo
	@echo "Warehouse:  $(DATA_DIR)/warehouse.duckdb   ($(BIN)/duckdb -readonly $(DATA_DIR)/warehouse.duckdb)"
	@echo "Lake:       $(DATA_DIR)/lake/raw"
	@echo "Docs:       $(CURDIR)/target/index.html   (make docs serves them on http://127.0.0.1:8080)"

build: setup  ## rebuild the warehouse from the existing lake
	WAREHOUSE_DATA_DIR=$(DATA_DIR) $(BIN)/warehouse build

docs: setup  ## generate the dbt docs site and serve it on 127.0.0.1:8080
	WAREHOUSE_DATA_DIR=$(DATA_DIR) $(BIN)/dbt docs generate --quiet
	WAREHOUSE_DATA_DIR=$(DATA_DIR) $(BIN)/dbt docs serve --host 127.0.0.1 --port 8080 --no-browser

# The four checks are independent (each writes its own artifacts: pytest in temporary folders, test-dbt in
# $(TEST_DATA_DIR), verify-redshift in target/redshift*, lint in target/), so they run side by side; the
# output of each is printed in one piece when it ends, and make test fails when any of them fails.
TEST_JOBS ?= 4

test: setup  ## every check CI runs
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target lint test-python test-dbt verify-redshift
	@echo "make test: all checks passed"

# The checks themselves are defined once, in .pre-commit-config.yaml (also the git hook: pre-commit install).
lint: setup  ## ruff over the Python, sqlfluff over the SQL, the governance lint (the pre-commit hooks)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

browser:  ## headless Chromium for the docs-site test (apt-get only as root and only when missing)
	scripts/setup/install_chromium.sh

postgres:  ## PostgreSQL 15 for the PostgreSQL tests (apt-get only as root and only when missing), started
	scripts/setup/start_postgres.sh

# Two workers, one test file per worker at a time, handed out longest first (tests/python/conftest.py orders
# the collection; --no-loadscope-reorder keeps that order).
test-python: setup browser postgres  ## pytest: generator, CLI, pipeline, AWS (moto), docs site in a browser, metrics, snapshots, governance
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder

# dbt's artifacts and logs go with the data, so this can run next to lint (whose dbt parse writes target/).
test-dbt: export DBT_TARGET_PATH := $(TEST_DATA_DIR)/target
test-dbt: export DBT_LOG_PATH := $(TEST_DATA_DIR)/logs
test-dbt: setup  ## dbt build (models, data tests, unit tests) and source freshness on tiny data
	rm -rf $(TEST_DATA_DIR)
	WAREHOUSE_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/warehouse generate --scale tiny
	WAREHOUSE_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/warehouse build
	WAREHOUSE_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/dbt source freshness --quiet

verify-redshift: setup  ## compile for Redshift offline and check the SQL is Redshift's
	$(BIN)/warehouse verify redshift

bench: setup  ## benchmark at SCALE (default: default; full = 30M orders), see docs/benchmarks.md
	WAREHOUSE_DATA_DIR=$(DATA_DIR)/bench-$(SCALE) $(BIN)/warehouse bench --scale $(SCALE)

clean:  ## remove build output (keeps .venv and data)
	rm -rf target logs
