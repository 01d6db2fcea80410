# Two commands do all set-up on a fresh Debian machine (Python 3.11, Node 20):
#   make demo   installs everything, creates the SQLite database, loads demo data, serves http://127.0.0.1:5000
#   make test   installs what tests need (Debian's chromium included) and runs the whole suite
# Both are idempotent: stamps below skip what is already installed and up to date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CATALOGUE := webapp/translations/en/LC_MESSAGES/messages.mo
export FLASK_APP := webapp

.PHONY: demo test install lint clean-demo chromium pdf-libs bench

install: pdf-libs $(VENV)/.installed webapp/static/vendor/MANIFEST.json $(CATALOGUE)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'  # bench: locust and py-spy, which tests/test_bench_smoke.py runs
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

webapp/static/vendor/MANIFEST.json: node_modules/.installed scripts/copy_assets.py
	$(PYTHON) scripts/copy_assets.py

# The English catalogue, merged from one .po part per area (Italian is the source language: no catalogue needed).
$(CATALOGUE): $(wildcard translations/en/parts/*.po) translations/en/parts scripts/i18n.py $(VENV)/.installed
	$(BIN)/python scripts/i18n.py compile

demo: install
	$(BIN)/flask tessere init
	$(BIN)/flask tessere demo
	TESSERE_REQUIRE_TOTP=0 $(BIN)/flask run --host 127.0.0.1 --port 5000

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# WeasyPrint (PDF of the monitoring reports) needs Pango and HarfBuzz from Debian, and a font.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@dpkg -s $(PDF_DEBS) >/dev/null 2>&1 || { \
	  echo "Installing Debian's pango for the PDF reports..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(PDF_DEBS) >/dev/null; }

test: install chromium
	$(BIN)/python -m pytest

# The benchmarks of bench/ (issue #8), one after the other; each prints its figures and ends with a RESULT line.
# PostgreSQL runs use BENCH_PG_URL (each script works in a private schema it drops at the end): a script taking
# --pg-url runs SQLite and/or PostgreSQL itself, one taking --database-url runs twice (SQLite, then PostgreSQL).
# Takes 15-20 minutes; run it on an otherwise idle machine.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
BENCH_SCRIPTS := $(basename $(notdir $(filter-out bench/__init__.py bench/common.py bench/locust_tasks.py,$(wildcard bench/*.py))))
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	@for script in $(BENCH_SCRIPTS); do \
	  echo "==== bench/$$script.py"; \
	  options=$$($(BIN)/python -m bench.$$script --help); \
	  if echo "$$options" | grep -q -- --pg-url; then \
	    $(BIN)/python -m bench.$$script --pg-url $(BENCH_PG_URL) || exit 1; \
	  elif echo "$$options" | grep -q -- --database-url; then \
	    $(BIN)/python -m bench.$$script && $(BIN)/python -m bench.$$script --database-url $(BENCH_PG_URL) || exit 1; \
	  else \
	    $(BIN)/python -m bench.$$script || exit 1; \
	  fi; \
	done

lint: install
	$(BIN)/ruff check .

clean-demo:
	rm -f instance/tessere.sqlite
