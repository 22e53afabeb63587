# One command sets up and runs the main job (`make run`), one runs the tests (`make test`).
# Both create .venv on first use from the pinned versions in requirements.lock (runtime deps and the
# dev, lab and app extras), then install the package itself without dependencies; only Python 3.11+ is needed.
# `make lock` regenerates requirements.lock from pyproject.toml with uv (see README, "Pinned environment").

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
UV_VENV ?= .uv-venv
UV     ?= $(UV_VENV)/bin/uv
UPGRADE ?=
CITY   ?= Scottsdale

.PHONY: setup run score test lint lab benchmark clean notebooks batch app lock

setup: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name wwc-analysis --display-name "Python (wwc-analysis)" >/dev/null
	touch $(STAMP)

run: setup
	$(BIN)/wwc score
	$(BIN)/wwc report --city "$(CITY)"

score: setup
	$(BIN)/wwc score

# The suite: one process per core, a file each, slowest first (conftest.py). Bytecode is cached even where
# the environment turns that off (PYTHONDONTWRITEBYTECODE): the suite starts some sixty Python processes.
test: setup
	$(BIN)/ruff check wwc_analysis tests benchmarks conftest.py
	$(BIN)/ruff format --check wwc_analysis tests benchmarks conftest.py
	PYTHONDONTWRITEBYTECODE= WWC_OUTPUT_DIR="$$(mktemp -d)" $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

notebooks: setup  # re-execute the committed notebooks (and outputs/) after a change to the package
	$(BIN)/wwc report --city Scottsdale
	$(BIN)/python -m wwc_analysis.reports.kernel notebooks/city_report.ipynb notebooks/cohort_overview.ipynb notebooks/explore.ipynb \
		notebooks/plan.ipynb

batch: setup
	$(BIN)/wwc batch --all

lint: setup
	$(BIN)/ruff check wwc_analysis tests benchmarks conftest.py
	$(BIN)/ruff format --check wwc_analysis tests benchmarks conftest.py

app: setup  # the planning panel as a web page (Voila, 127.0.0.1 only, no code shown); PORT=8866 by default
	$(BIN)/python -m wwc_analysis.app --port $(or $(PORT),8866)

lab: setup
	$(BIN)/jupyter lab --notebook-dir=.

benchmark: setup
	$(BIN)/wwc benchmark

# Regenerate the lock after a change to the dependencies in pyproject.toml; existing pins are kept where they
# still fit. `make lock UPGRADE=--upgrade` moves every package to its newest allowed version.
lock:
	command -v $(UV) >/dev/null || { $(PYTHON) -m venv $(UV_VENV) && $(UV_VENV)/bin/python -m pip install --quiet uv; }
	$(UV) pip compile pyproject.toml --extra dev --extra lab --extra app --python-version 3.11 \
		--python-platform linux --custom-compile-command "make lock" --quiet $(UPGRADE) -o $(LOCK)

clean:
	rm -rf $(VENV) $(UV_VENV) .pytest_cache .ruff_cache .hypothesis
