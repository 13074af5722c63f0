# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test chaos attack security-table lint check-deploy bench clean lock audit

# Everything is installed from the locks (requirements.txt: runtime; requirements-dev.txt: tests and
# tools), every file checked against its hash. The venv's own pip is never upgraded from outside the
# lock: the dev lock pins pip itself.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

PORT ?= 8000

## run: install, migrate, load content and a demo diary, then serve web + worker + beat on :$(PORT)
run: $(VENV)/.runtime-installed .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runlocal --port $(PORT)

# A local run's settings, written once and git-ignored; settings read it, so manage.py works after `make run`.
.env:
	printf '# Written by `make run` for a local try (git-ignored). Delete it to start again.\nDEBUG=true\nSITE_URL=http://127.0.0.1:$(PORT)\n' > $@

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

PIP_COMPILE_FLAGS := --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	--no-emit-trusted-host

## lock: compile requirements.in and requirements-dev.in into the hashed locks (keeps every pin it can;
##   LOCK_ARGS="--upgrade-package NAME" or "--upgrade" moves transitive ones on)
lock: export CUSTOM_COMPILE_COMMAND := make lock
lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile -q $(PIP_COMPILE_FLAGS) $(LOCK_ARGS) -o requirements.txt requirements.in
	$(BIN)/pip-compile -q $(PIP_COMPILE_FLAGS) $(LOCK_ARGS) -o requirements-dev.txt requirements-dev.in

## audit: check both locks against a vulnerability database (pip-audit; installs nothing from them).
##   AUDIT_SERVICE=osv picks OSV instead of PyPI. Exits 1 on a known vulnerability; when the database
##   cannot be reached it says that nothing was checked and exits 0.
##   pip-audit's JSON report and its log are left in AUDIT_DIR (var/).
AUDIT_SERVICE ?= pypi
AUDIT_DIR ?= var
audit: export AUDIT_REPORT_PROGRAM = $(AUDIT_REPORT)
audit: $(VENV)/.dev-installed
	@mkdir -p $(AUDIT_DIR) && rm -f $(AUDIT_DIR)/pip-audit.json
	@$(BIN)/pip-audit --disable-pip --require-hashes --progress-spinner off --timeout 15 \
		--vulnerability-service $(AUDIT_SERVICE) -r requirements.txt -r requirements-dev.txt \
		--format json --output $(AUDIT_DIR)/pip-audit.json 2>$(AUDIT_DIR)/pip-audit.log; \
	$(BIN)/python -c "$$AUDIT_REPORT_PROGRAM" $(AUDIT_DIR)/pip-audit.json $(AUDIT_DIR)/pip-audit.log $$? $(AUDIT_SERVICE)

# Reads pip-audit's JSON report (argv: report, log, pip-audit's exit status, service) and says what it means.
define AUDIT_REPORT
import json, pathlib, sys

report, log, status, service = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
nothing = f"make audit: could not reach the vulnerability database ({service}); nothing was checked."
network = ("ConnectionError", "ProxyError", "ConnectTimeout", "ReadTimeout", "NameResolutionError", "SSLError",
           "Max retries exceeded", "Temporary failure in name resolution")
if not report.exists():
    text = log.read_text() if log.exists() else ""
    if any(word in text for word in network):
        print(nothing)
        sys.exit(0)
    print(text[-4000:], file=sys.stderr)
    print(f"make audit: pip-audit failed (exit {status}), see above.", file=sys.stderr)
    sys.exit(status or 1)
deps = {dep["name"]: dep for dep in json.loads(report.read_text())["dependencies"]}.values()
skipped = sorted(dep["name"] for dep in deps if "skip_reason" in dep)
checked = len(deps) - len(skipped)
found = [(dep["name"], dep["version"], vuln) for dep in deps for vuln in dep.get("vulns", [])]
if not checked:
    print(nothing, f"It answered for none of the {len(deps)} locked packages.")
    sys.exit(0)
if skipped:
    print(f"make audit: {len(skipped)} of {len(deps)} locked packages could not be checked:", ", ".join(skipped))
for name, version, vuln in found:
    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
    print(f"{name} {version}: {vuln['id']} (fixed in: {fixed})")
if found:
    print(f"make audit: {len(found)} known vulnerabilities in the {checked} packages checked ({service}).",
          "Raise the pin in requirements*.in, run make lock, then make test.")
    sys.exit(1)
print(f"make audit: no known vulnerabilities in the {checked} locked packages checked ({service}).")
endef

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
