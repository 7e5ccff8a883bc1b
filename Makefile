# PARS developer commands. `make run` and `make test` are all a newcomer needs.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080
export FLASK_APP := run.py

.PHONY: setup migrate demo run test bench lint clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/flask db upgrade --directory app/migrations
	$(BIN)/flask pars sync-roles
	$(BIN)/flask pars seed-criteria

demo: migrate
	$(BIN)/flask pars demo

run: demo
	@echo ""
	@echo "PARS is starting on http://$(HOST):$(PORT)  (Ctrl+C stops it)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --timeout 120 --access-logfile - run:app

test: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m tests.benchmarks

lint: setup
	$(BIN)/ruff check app tests config.py run.py
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r app -ll

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
