# Quarterly refugee-response report. `make help` lists the targets.
QUARTER ?= 2022Q4
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help report publish check cycle test test-all setup system-deps sample-data lab lint bench mutation clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'
	@echo "  QUARTER=$(QUARTER) (override: make report QUARTER=2023Q1)"

report: setup sample-data ## Render QUARTER's report (HTML + PDF) into reports/QUARTER/ (sets everything up first)
	$(BIN)/quarterly-report run --quarter $(QUARTER)

publish: setup ## Freeze QUARTER's current report as its next version in reports/QUARTER.versions/ (read-only, with a manifest; DRAFT=1 for a report without its narrative)
	$(BIN)/quarterly-report publish --quarter $(QUARTER) $(if $(DRAFT),--draft)

check: setup ## Check QUARTER's raw files before a run: headers, rows per reason, unknown values (no key; writes data/interim/QUARTER/check/)
	$(BIN)/quarterly-report check --quarter $(QUARTER)

cycle: setup ## Walk the quarterly cycle on the bundled sample in a scratch folder, every figure checked: 2022Q4, publish, 2023Q1, a late file, 2022Q4 revised, 2023Q1 out of date, its narrative written and run again, publish both (about 6 min)
	$(BIN)/python -m pytest tests/test_cycle.py -v -p no:cacheprovider

test: setup ## Everyday tests, under 90 s: all but the slow ones (notebook runs, rendering, browsers, workbooks)
	$(BIN)/python -m pytest -m "not slow"

test-all: setup ## The whole test suite, slow tests included (what CI runs)
	$(BIN)/python -m pytest

setup: system-deps $(VENV)/.installed node_modules/.installed ## Create .venv with the pinned packages and the project (editable), and the browser-side test tools (axe-core, npm)

system-deps: ## Install the few Debian packages needed for PDF rendering and the reader tests
	@scripts/install-system-deps.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

sample-data: $(VENV)/.installed ## Write QUARTER's bundled sample into data/raw/ if it has one (2022Q4, 2023Q1) and it is not there yet
	$(BIN)/python -m samplegen --quarter $(QUARTER)

catalogue: $(VENV)/.installed ## Add the report's new words to each language's catalogue (src/helpers/publication/locales/); lists what is not translated yet
	$(BIN)/python -m helpers.publication.catalogue

lab: setup ## Open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks/

lint: setup ## Run the pre-commit hooks (ruff, nbstripout, large files, secrets) on every file
	$(BIN)/pre-commit run --all-files

bench: setup ## Benchmark clean + indicators at 100k, 1M and 10M records (median of 3), the sample quarter and its edit loop, people across 4 quarters of 10M; writes benchmarks/results.md
	$(BIN)/python benchmarks/run.py --sample --across 10000000

mutation: setup ## Mutation testing (slow, not in CI) of the modules whose mistakes publish wrong numbers; scores for tests/mutation.md
	nice -n 10 $(BIN)/mutmut run --max-children 2
	$(BIN)/python scripts/mutation_scores.py

clean: ## Remove processed data and reports, with runs' staging folders and locks (raw data and published versions are kept)
	rm -rf data/processed/* data/processed/.*.staging-* data/processed/.*.lock reports/.*.staging-* reports/.*.lock
	find reports -mindepth 1 -maxdepth 1 ! -name '*.versions' ! -name .gitkeep -exec rm -rf {} +
	touch data/processed/.gitkeep reports/.gitkeep
