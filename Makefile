# infoshare: every task a developer does is a target here. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help
help: ## list the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups
	@touch $@

.PHONY: install
install: $(VENV)/.synced ## create .venv with the locked dependencies

.PHONY: lock
lock: | $(UV) ## re-resolve uv.lock after changing pyproject.toml
	$(UV) lock

.PHONY: demo
demo: install ## set up infoshare.db with the leeds-2002 pack and demo data, then serve it
	INFOSHARE_ENVIRONMENT=development $(BIN)/infoshare demo --size small
	INFOSHARE_ENVIRONMENT=development $(BIN)/infoshare serve

.PHONY: lint
lint: install ## ruff (lint and format check), mypy, import-linter
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/infoshare
	$(BIN)/lint-imports

.PHONY: fmt
fmt: install ## format and autofix with ruff
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

.PHONY: test
test: lint ## the whole suite: lint, unit, storage on SQLite and PostgreSQL
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

.PHONY: bench-ledger
bench-ledger: install ## ledger: verify 1M entries, proofs at 10M; writes bench/results/ledger.json
	$(BIN)/python bench/bench_ledger.py

.PHONY: bench-decide
bench-decide: install ## decide(): 100k decisions vs Cedar and casbin; writes bench/results/decide.json
	$(BIN)/python bench/bench_decide.py

.PHONY: bench-http
bench-http: install ## POST /api/v1/disclosures over HTTP, 32 clients, SQLite; writes bench/results/http.json
	$(BIN)/python bench/bench_http.py

.PHONY: db-upgrade
db-upgrade: install ## migrate INFOSHARE_DATABASE_URL (default ./infoshare.db) to the newest schema
	$(BIN)/infoshare db upgrade

.PHONY: clean
clean: ## remove the virtual environments, caches and the demo database
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache .hypothesis infoshare.db infoshare.db-wal infoshare.db-shm
