# Two entry points: `make demo` (build the warehouse on the generated demo data) and `make test`;
# `make evaluate` adds the research reports (the feature-family ablation) to the demo build.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DATA := data/demo
WAREHOUSE := warehouse/vklsvd.duckdb

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export VKLSVD_DUCKDB_PATH ?= $(CURDIR)/$(WAREHOUSE)

DEMO_VARS := data_root: "$(abspath $(DEMO_DATA))", submission_path: "$(CURDIR)/output/submission.parquet"

.PHONY: demo evaluate docs spark-demo test install java clean

demo: install
	$(BIN)/vklsvd generate --out $(DEMO_DATA) --if-missing
	@mkdir -p $(dir $(VKLSVD_DUCKDB_PATH))
	$(BIN)/dbt build --vars '{$(DEMO_VARS)}'
	$(BIN)/vklsvd report --warehouse $(VKLSVD_DUCKDB_PATH)

# The product first (as `make demo`), then only the research models and what reads them.
evaluate: demo
	$(BIN)/dbt build --select ml_ablation_assignments+ run_vars+ --vars '{$(DEMO_VARS), feature_ablation: true}'
	$(BIN)/vklsvd report --warehouse $(VKLSVD_DUCKDB_PATH)

# The dbt docs site (descriptions, column docs, lineage, exposures) of the warehouse `make demo` built,
# served on http://localhost:$(DOCS_PORT) until interrupted.
DOCS_PORT ?= 8080
docs: install
	$(BIN)/dbt docs generate --vars '{$(DEMO_VARS)}'
	$(BIN)/dbt docs serve --port $(DOCS_PORT) --no-browser

# The demo warehouse built on a local Spark session (SQL by dbt with target spark, the Python steps by
# the driver), every table compared with the DuckDB build of `make demo`; its submission file beside.
SPARK_DEMO_VARS := data_root: "$(abspath $(DEMO_DATA))", submission_path: "$(CURDIR)/output/spark/submission.parquet"
spark-demo: demo
	$(BIN)/vklsvd spark-build --vars '{$(SPARK_DEMO_VARS)}' --compare-with $(VKLSVD_DUCKDB_PATH)

test: install
	$(BIN)/ruff check python tests models benchmarks
	$(BIN)/ruff format --check python tests models benchmarks
	$(BIN)/mypy
	VKLSVD_DUCKDB_PATH=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models data_tests
	$(BIN)/pytest -n auto --dist worksteal

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	@$(MAKE) --no-print-directory java
	@touch $@

# PySpark (the spark target and its tests) starts a JVM: Java 17 from the Debian packages where none is
# on PATH and apt-get can install it; otherwise the Spark tests skip and say why.
java:
	@if command -v java >/dev/null 2>&1 || [ -n "$$JAVA_HOME" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing openjdk-17-jre-headless for the Spark target"; \
	  { apt-get install -y -qq openjdk-17-jre-headless || \
	    { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }; } >/dev/null 2>&1; \
	fi; \
	command -v java >/dev/null 2>&1 || echo "no Java runtime (as root: apt-get install openjdk-17-jre-headless, or set JAVA_HOME): the Spark target is unavailable and its tests skip"

clean:
	rm -rf $(VENV) target warehouse output artifacts logs
