# The README's whole set-up: `make demo` runs the program, `make test` passes the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck pytest bench sandbox clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mentorbot demo

# The app, the Slack emulator and a web page on localhost: try Mentorbot in your browser.
sandbox: $(STAMP)
	$(BIN)/mentorbot sandbox $(SANDBOX_ARGS)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks (bench/run_all.py runs every bench/*.py with run()); PostgreSQL rows need
# MENTORBOT_BENCH_DATABASE_URL (its Mentorbot tables are dropped and re-created).
# Fails when a target is missed; BENCH_ARGS=--report-only only reports.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
