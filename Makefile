# The README's two commands: `make run` (build the shipped data and show it) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= build
PIP := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: run test bench install install-dev system-deps lint check clean

run: $(VENV)/.installed web/node_modules/.installed
	$(BIN)/levelup run --data-dir $(DATA_DIR) --open

test: $(VENV)/.installed-dev web/node_modules/.installed system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml constraints.txt
	$(PIP) -e .
	touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e '.[dev]'
	touch $@

bench: $(VENV)/.installed-dev
	scripts/install-system-deps bench
	$(BIN)/python -m bench.run $(SECTIONS)

system-deps:
	scripts/install-system-deps

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
