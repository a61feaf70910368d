# Two promises (see README): `make demo` sets up and serves the app with a demo region loaded;
# `make test` sets up and runs the test suite. Everything else here serves those two.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup demo serve test test-pg test-browser test-spark bench lint clean

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --silent --no-audit --no-fund
	@# PDF font subsetting by HarfBuzz (WeasyPrint falls back to the slower, deprecated fontTools).
	@ldconfig -p | grep -q libharfbuzz-subset || apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 \
		|| echo "note: apt-get install libharfbuzz-subset0 for faster PDF reports (optional)"
	touch $(STAMP)

setup: $(STAMP)

# A demo instance (TUMBUH_DEMO=1): its own generated key, a notice on the login page.
demo: setup
	TUMBUH_DEMO=1 $(BIN)/tumbuh demo
	TUMBUH_DEMO=1 $(BIN)/tumbuh serve --host $(HOST) --port $(PORT)

serve: setup
	$(BIN)/tumbuh serve --host $(HOST) --port $(PORT)

# On every core (pytest-xdist, work stealing: the scoping matrix alone is two thirds of the tests,
# so it is shared out rather than kept on one worker).
JOBS ?= auto
DIST ?= worksteal
test: setup
	$(BIN)/pytest -n $(JOBS) --dist $(DIST)

# Same suite on PostgreSQL; DATABASE_URL must point at a server (.ci/run starts one).
test-pg: setup
	test -n "$(DATABASE_URL)" || (echo "set DATABASE_URL=postgres://..." && exit 2)
	DATABASE_URL=$(DATABASE_URL) $(BIN)/pytest -n $(JOBS) --dist $(DIST)

# Browser tests drive Debian's Chromium with Playwright; installs chromium when missing. The
# report tests read PDFs back with poppler (pdftotext/pdftoppm), installed the same way.
test-browser: setup
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	command -v pdftotext >/dev/null || (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null)
	$(BIN)/pytest -m browser -p no:cacheprovider

# Spark tests (issue 15): PySpark in local[2] on Debian's Java 17; installs both when missing.
test-spark: setup
	test -x /usr/bin/java || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	$(BIN)/python -c "import pyspark" 2>/dev/null || $(BIN)/pip install --quiet -e '.[spark]'
	$(BIN)/pytest -m spark -p no:cacheprovider tests/scale

bench: setup
	$(BIN)/python bench/run.py

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules var staticfiles test-artifacts
