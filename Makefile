# Two commands do all the set-up on a fresh machine:
#   make demo   — install into .venv and simulate the bundled scenarios on the Kazakhstan dataset
#   make test   — install into .venv and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DATA   ?= data/kz
OUT    ?= out

.PHONY: install demo lint test bench data clean chromium postgresql serve bench-web

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# the web tests' npm packages (axe-core; Pico CSS, whose built file is vendored by scripts/vendor_css.sh), as pinned in package-lock.json
NODE_STAMP = node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent

install: $(STAMP) $(NODE_STAMP)

demo: install
	@for s in scenarios/*.yaml; do \
	  name=$$(basename $$s .yaml); \
	  $(BIN)/interbudget simulate $(DATA) $$s --out $(OUT)/$$name || exit 1; \
	done
	@echo
	@$(BIN)/interbudget explain $(DATA) scenarios/current-law.yaml --code 430000000 --year 2026 --lang en
	@echo
	@$(BIN)/interbudget explain $(DATA) scenarios/bad-year-2027.yaml --code 230000000 --year 2027 --track actual --lang en | sed -n '/When revenue falls short/,$$p'
	@echo "Reconciliation 1: 2024 current law on the executed 2024 budgets (data/kz-2024) against the executed transfers"
	@$(BIN)/interbudget reconcile data/kz-2024 data/kz-2024/scenarios/current-law.yaml --published data/kz-2024/published.csv --out $(OUT)/reconcile-2024
	@echo
	@echo "Reconciliation 2: current law on normative needs (data/kz) against the 2026 law: who would gain and who would lose"
	@$(BIN)/interbudget reconcile $(DATA) scenarios/normative-needs.yaml --published $(DATA)/published.csv --out $(OUT)/reconcile-normative
	@for p in registry/kz/proposals/*.yaml; do \
	  $(BIN)/interbudget proposal apply $(DATA) $$p scenarios/current-law.yaml --top 0 --out $(OUT)/proposals/$$(basename $$p .yaml).xlsx >/dev/null || exit 1; \
	done
	@echo
	@echo "Results per scenario are in $(OUT)/<scenario>/ (budgets.csv, shares.csv, manifest.json);"
	@echo "the example reform proposals (registry/kz/proposals) priced in $(OUT)/proposals/*.xlsx."
	@echo "Browse it (kk/ru/en, JSON API at /docs): make serve, then open http://127.0.0.1:8000/"
	@echo "Explain any budget: $(BIN)/interbudget explain $(DATA) scenarios/option-2.yaml --code 750000000 --year 2027 --lang kk"

# the web workbench on the bundled data, on localhost; its store is $(OUT)/workbench.duckdb, and demo users
# (an analyst, the commission, one akimat per region) are created on the first start with their passwords printed
serve: install
	$(BIN)/interbudget serve $(DATA) --scenarios scenarios --store $(OUT)/workbench.duckdb --demo-users

# the report test drives Debian's chromium with Playwright (never a downloaded browser)
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# the database tests start a throw-away cluster with Debian's PostgreSQL server binaries (tests/pgserver.py)
postgresql:
	@test -x "$$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)/initdb" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# ruff (lint rules, import order) and mypy (types, strict on the core), both configured in pyproject.toml
lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

# the suite runs the store on DuckDB and on a PostgreSQL server it starts itself: here it must not be skipped
test: install lint chromium postgresql
	INTERBUDGET_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest

data: install  # rebuild data/kz, data/kz-2024, data/kz-2002 and data/example from ../shared/data/kz
	$(BIN)/python scripts/build_kz_dataset.py
	$(BIN)/python scripts/build_kz2024_dataset.py
	$(BIN)/python scripts/make_example_dataset.py
	$(BIN)/python scripts/build_kz2002_dataset.py

bench: install
	$(BIN)/python benchmarks/run.py

# 50 clients for 60 s against `interbudget serve` on data/kz
bench-web: install
	$(BIN)/python benchmarks/web.py $(ARGS)

clean:
	rm -rf $(OUT) .pytest_cache .hypothesis
