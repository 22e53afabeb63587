# One command sets up and runs the main job (`make run`), one runs the tests (`make test`).
# Both create .venv on first use from the pinned versions in requirements.lock (runtime deps and the
# dev, lab and app extras), then install the package itself without dependencies; only Python 3.11+ is needed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
UV_VENV ?= .uv-venv
UV     ?= $(UV_VENV)/bin/uv
UPGRADE ?=
CITY   ?= Scottsdale
LINTED := wwc_analysis tests benchmarks conftest.py setup.py

.PHONY: setup run score test test-lowest lint lab benchmark clean golden batch app lock uv

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

# The suite: one process per core, a file each, slowest first (conftest.py). Tests write reports and derived
# data to temporary folders (conftest.py) and fail if anything under outputs/ or data/ changes.
test: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

# The lowest versions pyproject.toml allows, in .venv-lowest/, and the command-line tests against them.
test-lowest: uv
	rm -rf .venv-lowest
	$(UV) venv --quiet --python $(PYTHON) .venv-lowest
	$(UV) pip compile pyproject.toml --extra dev --resolution lowest-direct --python-version 3.11 --quiet -o .venv-lowest/lowest.txt
	$(UV) pip install --quiet --python .venv-lowest/bin/python -r .venv-lowest/lowest.txt
	$(UV) pip install --quiet --python .venv-lowest/bin/python --no-deps -e .
	WWC_CHROMIUM= .venv-lowest/bin/python -m pytest -p no:cacheprovider -p no:nbval -o addopts="" -q \
		tests/test_cli.py tests/test_scoring.py tests/test_real_data.py tests/test_loading.py tests/test_plan.py

lint: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

app: setup  # the planning app (Voilà, 127.0.0.1 only, no code shown); PORT=8866 by default
	$(BIN)/python -m wwc_analysis.app --port $(or $(PORT),8866)

lab: setup
	$(BIN)/jupyter lab --notebook-dir=.

batch: setup
	$(BIN)/wwc batch --all

benchmark: setup
	$(BIN)/python benchmarks/benchmark.py

# After an intended change to what the reports say: the reference report under tests/golden/ and the committed,
# executed notebooks written again. The one target that writes tracked files.
golden: setup
	rm -rf .golden && WWC_OUTPUT_DIR=$(CURDIR)/.golden $(BIN)/wwc report --city Scottsdale --force
	rm -rf tests/golden/scottsdale && mv .golden/scottsdale tests/golden/scottsdale && rm -rf .golden
	$(BIN)/python -m wwc_analysis.reports.kernel notebooks/city_report.ipynb notebooks/cohort_overview.ipynb \
		notebooks/explore.ipynb notebooks/plan.ipynb

uv:
	command -v $(UV) >/dev/null || { $(PYTHON) -m venv $(UV_VENV) && $(UV_VENV)/bin/python -m pip install --quiet uv; }

# Regenerate the lock after a change to the dependencies in pyproject.toml; existing pins are kept where they
# still fit. `make lock UPGRADE=--upgrade` moves every package to its newest allowed version.
lock: uv
	$(UV) pip compile pyproject.toml --extra dev --extra lab --extra app --python-version 3.11 \
		--python-platform linux --custom-compile-command "make lock" --quiet $(UPGRADE) -o $(LOCK)

clean:
	rm -rf $(VENV) .venv-lowest $(UV_VENV) .pytest_cache .ruff_cache .hypothesis build dist
