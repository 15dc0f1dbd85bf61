# Two commands do all set-up on a fresh machine with only Python 3.11+:
#   make check   the main job: every vendor's contract suite against the built-in fakes, with its report
#   make test    all tests (lint and type checks included)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REPORTS ?= reports

.PHONY: install check test test-slow bench-smoke lint live serve lock bench canary clean cassettes replay

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

CASSETTES := tests/data/cassettes

# The contract run against the fakes, then the recorded traffic replayed: the current specs against the recorded
# answers, the fakes against the recorded shapes (no key, no network). Both must pass.
check: $(STAMP)
	$(BIN)/contracts drift --target fake --out $(REPORTS)
	$(BIN)/contracts replay $(CASSETTES)

replay: $(STAMP)
	$(BIN)/contracts replay $(CASSETTES)

# Re-record the shipped cassettes from the fakes served on loopback (deterministic: tests/test_replay.py
# holds the shipped files equal to a fresh recording). Commit the result.
cassettes: $(STAMP)
	$(BIN)/python -m tests.fixtures.cassettes

# -n auto: one pytest-xdist worker per core, each with its own fakes. PYTHONDONTWRITEBYTECODE is cleared so
# that the workers and the CLI subprocesses the tests start reuse compiled bytecode (1.5 s less per process).
test: $(STAMP) lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n auto

# The slow tests (marker slow): whole runs over every vendor, and real-time rate-limit windows. `make test` leaves
# them out to stay about a minute on 2 cores; .ci/run runs them after it on every change.
test-slow: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n auto -m slow

# The smoke tests of the benchmark scripts (tests/benchmarks, marker bench_smoke): the slowest tests, so `make test`
# (the project's pytest options) leaves them out; .ci/run runs this after it. Fails when they are not collected.
bench-smoke: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n auto -m bench_smoke tests/benchmarks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The same suite against the real vendors (sandbox keys from the environment or .env).
live: $(STAMP)
	$(BIN)/pytest -m live --junitxml=$(REPORTS)/junit-live.xml

serve: $(STAMP)
	$(BIN)/contracts serve

# Every benchmark, one after the other (about 10 minutes); figures are printed, and kept in benchmarks/README.md.
BENCHMARKS := bench_startup bench_property_vs_cli bench_validation bench_live bench_suite bench_make_test
bench: $(STAMP)
	@for name in $(BENCHMARKS); do echo; echo "== benchmarks/$$name.py"; $(BIN)/python -m benchmarks.$$name || exit 1; done

# The scheduled canary: the suite with the newest schemathesis and Hypothesis instead of the pinned ones,
# in its own venv. It says which schemathesis internals moved ($(REPORTS)/seams.txt), then runs the tests
# and the contract run against the fakes, and fails if any of the three did.
CANARY := .venv-canary
canary:
	rm -rf $(CANARY) && $(PYTHON) -m venv $(CANARY) && mkdir -p $(REPORTS)
	grep -v -E '^(schemathesis|hypothesis)==' constraints.txt > $(CANARY)/constraints.txt
	$(CANARY)/bin/python -m pip install --quiet --disable-pip-version-check -c $(CANARY)/constraints.txt -e ".[dev]"
	$(CANARY)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade schemathesis hypothesis 2>&1 \
		| grep -v "dependency conflicts\|requires schemathesis\|dependency resolver" || true
	@status=0; \
	$(CANARY)/bin/python -m contracts.engine.schemathesis_seam > $(REPORTS)/seams.txt || status=1; cat $(REPORTS)/seams.txt; \
	CONTRACTS_ALLOW_UNTESTED_SCHEMATHESIS=1 PYTHONDONTWRITEBYTECODE= $(CANARY)/bin/pytest -q -n auto -p no:cacheprovider || status=1; \
	CONTRACTS_ALLOW_UNTESTED_SCHEMATHESIS=1 $(CANARY)/bin/contracts drift --target fake --out $(REPORTS) || status=1; \
	exit $$status

# Re-pin the whole dependency tree after changing pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | sort > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(CANARY) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(REPORTS)
