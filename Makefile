# Loketwijzer: two commands do everything on a fresh machine.
#   make run   - create .venv, install, import all data, serve on http://127.0.0.1:5000
#   make test  - create .venv, install, run the whole test suite (SQLite and PostgreSQL)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
SHARED := $(abspath ../shared/data)
LOKETWIJZER_SOURCES ?= $(if $(wildcard $(SHARED)),$(SHARED),)
export LOKETWIJZER_SOURCES

.PHONY: run test bench install import lint clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed

import: install
	$(FLASK) import-all

# Serve even when a source could not be imported (the report says which): the data
# that is there stays usable, and a second `make run` retries the import.
run: install
	-$(FLASK) import-all
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(PY) -m pytest

bench: import
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
