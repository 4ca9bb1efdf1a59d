# Verbs of the project. `make reports` and `make test` set everything up on a fresh machine
# (Python 3.11+, pip, make): they create .venv when missing and install the pinned stack into it, with uv
# (seconds) when it is on PATH or can be bootstrapped into the venv, else with pip (about a minute).

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
# Bytecode caches are written: uv does not compile at install (pip does, 7500 files), so each module is compiled
# once, when first imported. Where PYTHONDONTWRITEBYTECODE is set, every process of the build and the tests would
# compile pandas, scipy and matplotlib again (about 2.5 s more per kernel).
unexport PYTHONDONTWRITEBYTECODE
# uv checks certificates against the system's store, as pip does (its own bundle misses a local CA)
export UV_SYSTEM_CERTS := 1
export UV_NATIVE_TLS := 1

#: the installer: uv from PATH; else uv $(UV_VERSION) bootstrapped into the venv with pip (a few seconds);
#: else (no uv, the bootstrap failed) pip itself. Same pins either way: constraints.txt.
UV_VERSION := 0.13.9
UV ?= $(shell command -v uv 2>/dev/null)

NBVAL := --nbval --nbval-current-env
#: what ruff lints and formats (the notebooks are checked by nbval instead)
LINTED := analysis tests benchmarks
#: pytest-xdist over the cores; whole files per worker (a notebook's cells share one kernel), in collection order:
#: tests/conftest.py puts the longest files first, so that the workers finish together
XDIST := -n $(shell $(PYTHON) -c "import os; print(min(os.cpu_count() or 1, 4))") --dist loadfile --no-loadscope-reorder

.PHONY: reports test check metrics calibrate notebooks screenshots bench lab clean

# $(call install,VENV,EXTRA,WHAT): create VENV when missing and install the package with EXTRA and the pinned
# stack into it, saying what it installs (uv lists the packages; pip shows its progress bars), then stamp it.
# The venv is made without pip (ensurepip alone takes seconds); pip is added only when pip has to install.
define install
@test -x $(1)/bin/python || { echo "make: creating $(1) with $$($(PYTHON) --version)"; $(PYTHON) -m venv --without-pip $(1); }
@echo "make: installing $(3) into $(1): $$(grep -c '==' constraints.txt) pinned packages from constraints.txt (later runs skip this)"
$(if $(UV),,@echo "make: no uv on PATH: bootstrapping uv $(UV_VERSION) into $(1) with pip (a few seconds)")
$(if $(UV),,$(PYTHON) -m pip --python $(1)/bin/python install --progress-bar on uv==$(UV_VERSION) || echo "make: uv could not be installed: pip installs instead (about a minute)")
@if [ -x "$(or $(UV),$(1)/bin/uv)" ]; then set -x; "$(or $(UV),$(1)/bin/uv)" pip install --python $(1)/bin/python -c constraints.txt -e '.[$(2)]'; \
else set -x; $(1)/bin/python -m ensurepip --default-pip && $(1)/bin/python -m pip install --progress-bar on -c constraints.txt -e '.[$(2)]'; fi
@touch $(1)/.installed
@echo "make: $(1) is ready"
endef

$(STAMP): pyproject.toml constraints.txt
	$(call install,$(VENV),test,the analysis package and its test tools)

## reports: check the data, run the notebooks and write reports/ (HTML, PNG, metrics.json; only what changed),
## then a screenshot and the browser survey of every changed page under build/screenshots/ (survey.json, which the
## suite reuses where the bytes match) when Chromium is installed (the build owns reports/: nothing else is written there)
reports: $(STAMP)
	$(BIN)/python -m analysis build
	@if command -v chromium >/dev/null 2>&1; then $(BIN)/python tests/browser.py reports/ --shots build/screenshots --changed; \
	else echo "make: no chromium, so no screenshots (apt-get install chromium)"; fi
	@echo "$(CURDIR)/reports/index.html"

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

## calibrate: the simulation study of the projection (9 worlds x 1000 histories, one worker per core) and the
## comparison of model weightings; about 107 CPU s, 55 s on two idle cores; stores both for the reports
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
	$(call install,$(LAB),lab,JupyterLab and the analysis package)

lab: $(LAB_STAMP)
	$(LAB)/bin/jupyter lab notebooks/

clean:
	rm -rf $(VENV) $(LAB) build *.egg-info
