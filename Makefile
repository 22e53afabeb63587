# One command sets up and runs the main job (`make run`), one runs the tests (`make test`).
# Both create .venv with the package and its dev extras on first use; only Python 3.11+ is needed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CITY   ?= Scottsdale

.PHONY: setup run score test lint lab benchmark clean notebooks batch app

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,lab,app]'
	$(BIN)/python -m ipykernel install --sys-prefix --name wwc-analysis --display-name "Python (wwc-analysis)" >/dev/null
	touch $(STAMP)

run: setup
	$(BIN)/wwc score
	$(BIN)/wwc report --city "$(CITY)"

score: setup
	$(BIN)/wwc score

test: setup
	$(BIN)/ruff check wwc_analysis tests benchmarks
	WWC_OUTPUT_DIR="$$(mktemp -d)" $(BIN)/python -m pytest

notebooks: setup  # re-execute the committed notebooks (and outputs/) after a change to the package
	$(BIN)/wwc report --city Scottsdale
	$(BIN)/python -m wwc_analysis.runner notebooks/city_report.ipynb notebooks/cohort_overview.ipynb notebooks/explore.ipynb \
		notebooks/plan.ipynb

batch: setup
	$(BIN)/wwc batch --all

lint: setup
	$(BIN)/ruff check wwc_analysis tests benchmarks

app: setup  # the planning panel as a web page (Voila, 127.0.0.1 only, no code shown); PORT=8866 by default
	$(BIN)/python -m wwc_analysis.app --port $(or $(PORT),8866)

lab: setup
	$(BIN)/jupyter lab --notebook-dir=.

benchmark: setup
	$(BIN)/wwc benchmark

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
