# `make run` and `make test` are the two commands of the README. Each creates the virtualenv
# when it is missing and installs what it needs; re-installs happen only when setup.cfg or
# pyproject.toml changed (stamp files inside the virtualenv record the last install).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=
# Playwright is used with Debian's /usr/bin/chromium only: never download a browser build.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

# The widget serves the socket.io client from node_modules, so run needs it as well as test.
NODE_STAMP := $(if $(wildcard package.json),node_modules/.helpchat-installed)

.PHONY: help run test lint bench clean distclean chromium

help:
	@echo "make run    serve on http://127.0.0.1:8080 (embedded Redis unless HELPCHAT_REDIS_URL)"
	@echo "make test   ruff, mypy and the whole pytest suite"
	@echo "make lint   ruff and mypy only"
	@echo "make bench  the load harness and benchmarks in tests/bench (not part of make test)"
	@echo "make clean  caches and build output (keeps .venv and var/)"

run: $(VENV)/.installed-run $(NODE_STAMP)
	$(PY) run.py serve $(ARGS)

# Everything is installed before ruff runs, so a missing piece shows up first, not last.
test: $(VENV)/.installed-test $(NODE_STAMP) chromium lint
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy helpchat

# The load harness (README: make bench; HELPCHAT_BENCH_FULL=1 for the full sizes), then the
# in-process micro-benchmarks. npm ci (NODE_STAMP) installs the load generator's packages.
bench: $(VENV)/.installed-test $(NODE_STAMP)
	$(PY) -m tests.bench.harness
	$(PY) -m pytest tests/bench -s -p no:cacheprovider -o addopts= --timeout=900 $(ARGS)

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache build dist test-output *.egg-info
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules

# --- virtualenv --------------------------------------------------------------------------------

$(PY):
	@set -e; \
	if command -v python3.11 >/dev/null; then python=python3.11; \
	elif python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
		python=python3; \
	else echo "make: helpchat needs Python 3.11 or newer (python3.11 or python3)" >&2; exit 1; fi; \
	if ! $$python -m venv $(VENV); then \
		rm -rf $(VENV); \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; \
			$$python -m venv $(VENV); \
		else echo "make: install Debian's python3-venv: sudo apt-get install python3-venv" >&2; \
			exit 1; fi; \
	fi
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# --- JavaScript dependencies (only when the project has a package.json) ------------------------

node_modules/.helpchat-installed: package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm; \
		else echo "make: install Debian's npm: sudo apt-get install npm" >&2; exit 1; fi; }
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi
	touch $@

# --- the browser for the end-to-end tests ------------------------------------------------------

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
		else echo "install Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; \
	fi
