# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test chaos attack security-table lint check-deploy bench clean

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

## test: the whole quick suite (starts its own PostgreSQL and Redis when installed); chaos and load rows are `make chaos`
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	DEBUG=true $(BIN)/mypy
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run --settings=clinic.settings -v0 \
		|| { echo "Model changes without a migration: run makemigrations"; exit 1; }
	$(BIN)/pytest -m "not chaos and not load" $(PYTEST_ARGS)

## chaos: the fault and load rows of the reliability matrix (real worker, redis-server, SMTP sink, gunicorn), serially
chaos: $(VENV)/.dev-installed
	$(BIN)/pytest -m "chaos or load" $(PYTEST_ARGS)

## security-table: run both suites and write each matrix row's tests and results into docs/SECURITY.md
security-table: $(VENV)/.dev-installed
	mkdir -p var
	-$(BIN)/pytest -q -m "not chaos and not load" --junitxml=var/junit-test.xml
	-$(BIN)/pytest -q -m "chaos or load" --junitxml=var/junit-chaos.xml
	$(BIN)/python -m tests.support.matrix --junit var/junit-test.xml var/junit-chaos.xml --write docs/SECURITY.md

## attack: start a production-like stack on loopback and attack it over HTTP; prints tried / held / failed
attack: $(VENV)/.dev-installed
	$(BIN)/python -m tests.attack $(ATTACK_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: run the benchmarks in bench/ and print figures for docs/PERFORMANCE.md
bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
