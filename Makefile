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

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with $(CURDIR)/tests/nbval_sanitize.cfg

.PHONY: reports test check metrics notebooks bench lab clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

## reports: check the data, execute the notebooks and write reports/ (HTML, PNG, metrics.json)
reports: $(STAMP)
	$(BIN)/python -m analysis build

## test: unit tests, property tests and nbval on the committed notebooks
test: $(STAMP)
	$(BIN)/python -m pytest tests $(wildcard notebooks/*.ipynb) $(NBVAL)

check: $(STAMP)
	$(BIN)/python -m analysis check

metrics: $(STAMP)
	$(BIN)/python -m analysis metrics

## notebooks: re-execute the committed notebooks in place (after a change that alters outputs)
notebooks: $(STAMP)
	$(BIN)/python -m analysis notebooks

## bench: time the kernel floor and the full build
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py

## lab: JupyterLab in its own venv (it slows every kernel start, so the build/test venv stays without it)
lab:
	@test -x $(LAB)/bin/python || $(PYTHON) -m venv $(LAB)
	$(LAB)/bin/python -m pip install --quiet -c constraints.txt -e '.[lab]'
	$(LAB)/bin/jupyter lab notebooks/

clean:
	rm -rf $(VENV) $(LAB) build *.egg-info
