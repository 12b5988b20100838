# Two entry points: `make demo` (build the warehouse on the generated demo data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DATA := data/demo
WAREHOUSE := warehouse/vklsvd.duckdb

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export VKLSVD_DUCKDB_PATH ?= $(CURDIR)/$(WAREHOUSE)

.PHONY: demo test install clean

demo: install
	$(BIN)/vklsvd generate --out $(DEMO_DATA) --if-missing
	@mkdir -p $(dir $(VKLSVD_DUCKDB_PATH))
	$(BIN)/dbt build --vars '{data_root: "$(abspath $(DEMO_DATA))", submission_path: "$(CURDIR)/output/submission.parquet"}'
	$(BIN)/vklsvd report --warehouse $(VKLSVD_DUCKDB_PATH)

test: install
	$(BIN)/ruff check python tests models benchmarks
	$(BIN)/ruff format --check python tests models benchmarks
	$(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

clean:
	rm -rf $(VENV) target warehouse output artifacts logs
