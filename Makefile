# The Eurasia tensions workbook. `make report` runs the main job, `make test` the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SOURCES := lib tests bench notebooks
PYTEST_WORKERS ?= 2

.PHONY: help setup widget-manager chromium report test lint format lab bench bench-scale docs dashboard test-browser clean strip

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

WIDGET_MANAGER := $(VENV)/share/tensions/html-manager

setup: $(STAMP) widget-manager chromium  ## create .venv, install requirements.txt, the widget manager (npm), Chromium

widget-manager: $(STAMP)
	@bash scripts/ensure-widget-manager.sh $(WIDGET_MANAGER)

chromium:
	@bash scripts/ensure-chromium.sh

report: setup  ## execute every notebook in order and export every chart to reports/
	$(PY) -m tensions.runbook

test: setup  ## lint, then every test (library, dataset, notebooks executed headless)
	$(PY) -m ruff check $(SOURCES)
	$(PY) -m ruff format --check $(SOURCES)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15

lint: setup  ## ruff lint and format check
	$(PY) -m ruff check $(SOURCES)
	$(PY) -m ruff format --check $(SOURCES)

format: setup  ## apply ruff fixes and formatting, strip notebook outputs
	$(PY) -m ruff check --fix $(SOURCES)
	$(PY) -m ruff format $(SOURCES)
	$(MAKE) strip

strip: setup  ## strip outputs from the committed notebooks
	$(VENV)/bin/nbstripout --keep-id notebooks/*.ipynb

lab: setup  ## open JupyterLab on notebooks/
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: setup  ## benchmarks: scoring, export, ingest, dashboard (ratios against baselines)
	$(PY) -m bench

bench-scale: setup  ## scale run: a year of synthetic GDELT 2.0 (100 M rows) ingested and scored; SCALE_ARGS="--rows 2000000"
	$(PY) -m bench.bench_scale $(SCALE_ARGS)

docs: setup  ## regenerate docs/data-dictionary.md, the README method (from docs/method.md) and figures (docs/img/)
	$(PY) -c "from tensions.schema import render_data_dictionary_markdown as r; open('docs/data-dictionary.md','w').write(r())"
	$(PY) -c "from tensions.docs import write_readme_method as w; print(w())"
	$(PY) -c "from tensions.figures import write_readme_figures as w; print(*w(), sep='\n')"

test-browser: setup  ## drive JupyterLab in Chromium: Run All on notebook 01, the dashboard reacting to a control
	$(PY) -m pytest -m browser tests/test_browser.py -v --durations=5
	@echo "screenshots: reports/browser/*.png"

dashboard: setup  ## serve the dashboard as a standalone app (Voila) on http://127.0.0.1:8866
	JUPYTER_PATH=scripts/jupyter $(VENV)/bin/voila notebooks/03-interactive-dashboard.ipynb --template=offline \
		--no-browser --port=8866 --Voila.ip=127.0.0.1

clean:  ## remove generated output
	rm -rf reports/notebooks reports/figures reports/report.html
