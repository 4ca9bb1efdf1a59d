# Verbs of the project. `make reports` and `make test` set everything up on a fresh machine
# (Python 3.11+, pip, make): they create .venv when missing and install the pinned stack into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB    := .venv-lab

# Deterministic notebook runs: hash seed, stable cell names (nbval compares outputs), no tqdm.
# MPLBACKEND is deliberately left unset: Agg in the kernel hides figures from nbval.
export PYTHONHASHSEED := 0
export IPYKERNEL_CELL_NAME := <IPY-INPUT>
export TQDM_DISABLE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

NBVAL := --nbval --nbval-current-env
#: what ruff lints and formats (the notebooks are checked by nbval instead)
LINTED := analysis tests benchmarks
#: pytest-xdist over the cores; whole files per worker (a notebook's cells share one kernel)
XDIST := -n $(shell $(PYTHON) -c "import os; print(min(os.cpu_count() or 1, 4))") --dist loadfile

.PHONY: reports test check metrics calibrate notebooks screenshots bench lab clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { echo "make: creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "make: installing the pinned stack into $(VENV): $$(grep -c '==' constraints.txt) packages from constraints.txt (about 650 MB and a minute or two on a fresh machine; later runs skip this)"
	$(BIN)/python -m pip install --progress-bar on -c constraints.txt -e '.[test]'
	@touch $(STAMP)
	@echo "make: $(VENV) is ready"

## reports: check the data, run the notebooks and write reports/ (HTML, PNG, metrics.json; only what changed),
## then a screenshot of every changed page under build/screenshots/ when Chromium is installed (the build owns
## reports/: nothing else is written there)
reports: $(STAMP)
	$(BIN)/python -m analysis build
	@if command -v chromium >/dev/null 2>&1; then $(BIN)/python tests/browser.py reports/ --shots build/screenshots --changed; \
	else echo "make: no chromium, so no screenshots (apt-get install chromium)"; fi

## test: lint and format check (ruff, configured in pyproject.toml), unit tests, property tests, the docstring
## examples (tests/test_docs.py) and nbval on the committed notebooks
test: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/python -m pytest $(XDIST) tests $(wildcard notebooks/*.ipynb) $(NBVAL)

check: $(STAMP)
	$(BIN)/python -m analysis check

metrics: $(STAMP)
	$(BIN)/python -m analysis metrics

## calibrate: the simulation study of the projection (about 5 to 6 minutes on two cores); stores it for the reports
calibrate: $(STAMP)
	$(BIN)/python -m analysis calibrate --write

## notebooks: re-execute the committed notebooks in place (after a change that alters outputs)
notebooks: $(STAMP)
	$(BIN)/python -m analysis notebooks

## screenshots: retake every page's full-page PNG at 1280 and 390 px in build/screenshots/ (needs chromium)
screenshots: reports
	$(BIN)/python tests/browser.py reports/ --shots build/screenshots --check

## bench: the kernel floor, full build, no-op rebuild and check, with their ratios, in one run
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py

## lab: JupyterLab in its own venv (.venv-lab), so the build/test venv stays without the Jupyter server stack;
## installed once (stamp), later runs start the server at once
LAB_STAMP := $(LAB)/.installed

$(LAB_STAMP): pyproject.toml constraints.txt
	@test -x $(LAB)/bin/python || { echo "make: creating $(LAB) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(LAB); }
	@echo "make: installing JupyterLab and the pinned stack into $(LAB) (a minute or two the first time; later runs skip this)"
	$(LAB)/bin/python -m pip install --progress-bar on -c constraints.txt -e '.[lab]'
	@touch $(LAB_STAMP)
	@echo "make: $(LAB) is ready"

lab: $(LAB_STAMP)
	$(LAB)/bin/jupyter lab notebooks/

clean:
	rm -rf $(VENV) $(LAB) build *.egg-info
