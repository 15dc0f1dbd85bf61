# Two commands do all set-up on a fresh machine with only Python 3.11+:
#   make check   the main job: every vendor's contract suite against the built-in fakes, with its report
#   make test    all tests (lint and type checks included)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REPORTS ?= reports

.PHONY: install check test bench-smoke lint live serve lock bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

check: $(STAMP)
	$(BIN)/contracts drift --target fake --out $(REPORTS)

# -n auto: one pytest-xdist worker per core, each with its own fakes. PYTHONDONTWRITEBYTECODE is cleared so
# that the workers and the CLI subprocesses the tests start reuse compiled bytecode (1.5 s less per process).
test: $(STAMP) lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n auto

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

# Re-pin the whole dependency tree after changing pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | sort > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(REPORTS)
