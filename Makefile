# Refdesk — `make run` serves the demo program, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: setup system-deps run demo test test-sqlite test-postgres lint format bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check uv >/dev/null 2>&1 || true
	@if [ -x $(VENV)/bin/uv ]; then \
		VIRTUAL_ENV=$(VENV) $(VENV)/bin/uv pip install -q -e '.[test]'; \
	else \
		$(VENV)/bin/pip install -q -e '.[test]'; \
	fi
	@touch $(STAMP)

# Debian packages the browser and PostgreSQL tests need (installed only when missing).
system-deps:
	@bash scripts/system-deps.sh

run: setup
	@$(PY) -m refdesk demo --if-empty
	@$(PY) -m refdesk serve --port $(PORT)

demo: setup
	@$(PY) -m refdesk demo

lint: setup
	@$(VENV)/bin/ruff check src tests bench
	@$(VENV)/bin/ruff format --check src tests bench

format: setup
	@$(VENV)/bin/ruff format src tests bench
	@$(VENV)/bin/ruff check --fix src tests bench

test: setup system-deps
	@$(VENV)/bin/ruff check src tests bench
	@DJANGO_SETTINGS_MODULE=refdesk.settings $(PY) -m django check --fail-level WARNING
	@DJANGO_SETTINGS_MODULE=refdesk.settings $(PY) -m django makemigrations --check --dry-run >/dev/null || (echo "Missing migrations: run makemigrations" && exit 1)
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: setup
	@echo "== test suite on SQLite =="
	@DATABASE_URL= $(VENV)/bin/pytest -q

test-postgres: setup
	@echo "== test suite on a throwaway PostgreSQL =="
	@SCHEMATHESIS_EXAMPLES=$${SCHEMATHESIS_EXAMPLES:-10} $(PY) scripts/with_postgres.py -- $(VENV)/bin/pytest -q

bench: setup
	@$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var test-artifacts
