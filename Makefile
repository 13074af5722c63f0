# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test lint check-deploy bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

## run: install, migrate, load content and demo data, then serve web + worker + beat on :8000
run: export DEBUG ?= true
run: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/honcho start -f Procfile

## test: the whole suite (starts its own PostgreSQL and Redis when installed)
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run --settings=clinic.settings -v0 \
		|| { echo "Model changes without a migration: run makemigrations"; exit 1; }
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: run the benchmarks in bench/ and print figures for docs/PERFORMANCE.md
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
