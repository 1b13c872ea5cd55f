# The School Improvement Toolkit. Two set-up commands (see README):
#   make reports   build everything and run the main job on the bundled sample tracker
#   make test      build everything and run every test
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REPORT_TERM ?= 2026/27 Autumn
TRACKER ?= inputs/sample_tracker.xlsx
PYTEST_ARGS ?= -n 2

.PHONY: env system-deps reports test lab app lint template sample bench clean

env: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml scripts/system-deps.sh
	@bash scripts/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (toolkit)" >/dev/null
	@touch $(STAMP)

reports: env
	$(BIN)/toolkit batch $(TRACKER) --term "$(REPORT_TERM)"

test: env
	$(BIN)/ruff check toolkit tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# JupyterLab on working copies in work/ (git-ignored): opening, running and autosaving never
# change a shipped notebook. A copy is refreshed only when its template is newer.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
APP_PORT ?= 8866
lab: env
	@mkdir -p work && cp -ru notebooks/. work/
	$(BIN)/jupyter lab --notebook-dir=work --ServerApp.ip=127.0.0.1 $(ROOT_FLAG)

# The LSIP's no-code app: the designation review and the trust calendar served by Voila,
# widgets only (no code cells), on this computer only. Open the address it prints.
app: env
	$(BIN)/python -m toolkit.reports.app --port $(APP_PORT)

lint: env
	$(BIN)/ruff check .

template: env
	$(BIN)/toolkit template templates/tracker.xlsx

sample: env
	$(BIN)/toolkit sample inputs/sample_tracker.xlsx

bench: env
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
