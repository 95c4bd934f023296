# Two commands do everything on a fresh Linux machine with Python >= 3.11:
#   make report   set up .venv if needed, run every params/*.yaml, print where the reports are
#   make test     the same set-up plus test tools, then lint and pytest without the slow end-to-end tests
#   make test-slow   the slow end-to-end tests alone (real kernels, PDFs, browsers, Dask; CI runs both)
# The install steps are stamped on pyproject.toml: a second run does not reinstall.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: report test test-slow lint format install clean-outputs

report: $(VENV)/.installed
	@echo "==> Building the reports: reportkit run $(ARGS)"
	$(BIN)/reportkit run $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/ruff check reportkit tests bench notebooks
	$(BIN)/ruff format --check reportkit tests bench
	$(BIN)/python -m pytest -m "not slow" $(ARGS)

# About 2½ minutes for `make test` and 11 for these on 2 cores: the end-to-end tests run notebooks in kernels, render
# PDFs, drive Chromium and LibreOffice and start Dask clusters. ARGS may override the -m (e.g. ARGS='-m ""' runs all).
test-slow: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m slow $(ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check --fix reportkit tests bench notebooks
	$(BIN)/ruff format reportkit tests bench

install: $(VENV)/.installed

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "reportkit needs Python >= 3.11; set PYTHON=python3.11")'
	@echo "==> Creating the virtual environment $(VENV)/ with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# pip shows what it fetches and installs (not --quiet: the first install takes minutes, see README). Hidden: only
# setuptools' notice that a folder named reportkit in the working directory could shadow an editable install (pip
# runs from the checkout root, where reportkit/ is the package itself).
# Editable installs copy no data files: link the nbconvert template so `jupyter nbconvert --template reportkit` works.
NO_EDITABLE_NOTICE := PYTHONWARNINGS="ignore:Editable installation"

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	@echo "==> Installing reportkit and its dependencies into $(VENV)/"
	$(NO_EDITABLE_NOTICE) $(BIN)/python -m pip install -e .
	$(BIN)/python -m reportkit.export install-template
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	@echo "==> Installing reportkit, its dependencies and the test tools into $(VENV)/"
	$(NO_EDITABLE_NOTICE) $(BIN)/python -m pip install -e '.[test]'
	$(BIN)/python -m reportkit.export install-template
	@touch $@ $(VENV)/.installed

clean-outputs:
	find outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
