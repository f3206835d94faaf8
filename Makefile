# Loketwijzer: two commands do everything on a fresh machine.
#   make run   - create .venv, install, import all data, serve on http://127.0.0.1:5000
#                with gunicorn (gunicorn.conf.py: workers from the CPU count, preloaded)
#   make test  - create .venv, install (with requirements-dev.txt), run the whole suite
#   make dev   - as make run, but Flask's development server (reloads on code changes)
# Sources: the mirror directory LOKETWIJZER_SOURCES (../shared/data when it exists), else
# LOKETWIJZER_DOWNLOAD_URL, a base URL under which the mirror's files are fetched.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
SHARED := $(abspath ../shared/data)
LOKETWIJZER_SOURCES ?= $(if $(wildcard $(SHARED)),$(SHARED),)
export LOKETWIJZER_SOURCES

.PHONY: run dev test bench install install-dev import lint clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

# Test and lint tools (pytest, Playwright, axe, ruff) are not needed to serve.
install-dev: $(VENV)/.installed-dev

import: install
	$(FLASK) import-all

# Serve even when a source could not be imported (the report says which): the data
# that is there stays usable, and a second `make run` retries the import.
run: install
	-$(FLASK) import-all
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py

dev: install
	-$(FLASK) import-all
	$(FLASK) run --host 127.0.0.1 --port 5000 --reload

test: install-dev
	$(PY) -m pytest

bench: import
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

lint: install-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
