# a2i-kit: the README's two commands are `make demo` and `make test`.
# Every target creates .venv/ on first use and reinstalls only when a requirements file changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
PYTEST_WORKERS ?= 2

.PHONY: demo test test-install test-unit test-notebooks notebooks lab bench lint chromium postgresql screenshots clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's PostgreSQL server for the team-scale store tests (the tests start their own cluster
# in a temporary directory as the postgres user; nothing runs as a system service).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
	  echo "Installing Debian's postgresql for the store tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

demo: $(STAMP)
	$(BIN)/a2i-kit demo

test: $(STAMP) chromium postgresql test-unit test-notebooks
	@if $(BIN)/python tools/install_check.py --index-reachable; then $(MAKE) --no-print-directory test-install; \
	else echo "test-install skipped: pip cannot reach its package index (run make test-install where it can)"; fi

# Installs where users are, in fresh venvs: on top of the SageMaker SDK v2 and v3 (no package they
# hold changes version, pip check passes, connect() works), on the oldest pins with a test subset,
# and the wheel's static assets. Needs the package index; downloads are kept in
# ~/.cache/a2i-kit/wheelhouse for the next run.
test-install: $(STAMP)
	$(BIN)/python tools/install_check.py

test-unit: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile tests

# Strict: every output must match the saved one once sanitize.cfg has replaced what legitimately
# changes between runs (ports, timestamps, temporary paths, ids). Re-save with `make notebooks`.
test-notebooks: $(STAMP)
	$(BIN)/python -m pytest -p no:xdist --nbval --nbval-sanitize-with notebooks/sanitize.cfg notebooks

# Re-execute every notebooks/NN-*.ipynb and save it with its outputs; prints each run time and
# fails when one errors or takes over a minute. Commit the result.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py

# JupyterLab refuses to run as root unless told; containers often run as root.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

# PNGs of the portal's pages, every built-in task at 1400 and 400 px, the charts and each widget, in
# screenshots/ (the tests that take them also assert what a person would check on them).
screenshots: $(STAMP) chromium
	$(BIN)/python -m pytest -p no:xdist -q --store=sqlite tests/e2e/test_crowd_behaviour.py \
	  tests/e2e/test_crowd_segmentation.py tests/e2e/test_crowd_textract.py tests/charts \
	  tests/widgets/test_layout_preview.py tests/widgets/test_layout_widgets.py \
	  tests/e2e/test_portal_work.py tests/e2e/test_portal_amend_fill.py tests/e2e/test_manager_console.py \
	  tests/e2e/test_quality_portal.py
	@echo "screenshots in screenshots/"

bench: $(STAMP)
	@for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check a2i_kit tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
