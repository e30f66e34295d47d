# OrgFlow: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
A11Y := $(VENV)/a11y
A11Y_PACKAGES := axe-core@4.14.1 vnu-jar@26.9.27
export FLASK_APP := webapp:create_app

.PHONY: setup run run-pg test lint fonts poppler browser a11y-tools translations i18n-update screenshots clean-db

setup: $(STAMP) fonts poppler browser a11y-tools translations
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask workflows deploy

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# weasyprint needs a CJK font for Chinese PDFs; install Noto CJK when missing and allowed.
fonts:
	@./scripts/ensure-cjk-font.sh

# The PDF tests draw page images with pdftoppm (poppler-utils); install it when missing and allowed.
poppler:
	@./scripts/ensure-poppler.sh

# The browser tests use Debian's Chromium; install it when missing and allowed.
browser:
	@./scripts/ensure-chromium.sh

# The accessibility tests' tools from the npm registry into .venv/a11y: axe-core (MPL-2.0), run in
# Chromium, and the Nu HTML checker vnu.jar (MIT), run on the machine's Java. --ignore-scripts:
# vnu-jar's install script would download a Java of its own. Without npm the tests say so and skip.
a11y-tools: $(A11Y)/.installed

$(A11Y)/.installed: Makefile
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --ignore-scripts --no-save --no-package-lock --no-audit --no-fund \
	    --prefix $(A11Y) $(A11Y_PACKAGES) && touch $@; \
	else echo "NOTE: npm not found; the axe-core and Nu HTML checker tests will be skipped." >&2; fi

# Compiled catalogs (.mo) are built here, never committed.
translations: $(STAMP)
	@$(BIN)/pybabel compile -d webapp/translations >/dev/null

# After changing user-facing text: re-extract and merge into the catalogs, then translate the new entries.
i18n-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o $(VENV)/messages.pot --project OrgFlow --no-location --sort-output webapp workflows/labels.py
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d webapp/translations --ignore-obsolete

# Re-take the README screenshots (docs/screenshots/) with the browser tests and the PDF page images.
screenshots: setup
	ORGFLOW_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser tests/integration/documents

run: setup
	$(BIN)/flask demo load --once
	$(BIN)/flask serve --host 127.0.0.1 --port 5000

# PostgreSQL on 127.0.0.1:5432 (database orgflow, created if missing): gunicorn web workers
# plus two timer workers on http://127.0.0.1:5000; Ctrl-C stops them all (docs/deploy.md).
run-pg: setup
	./scripts/run-pg.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_layers.py
	$(BIN)/mypy

test: setup lint
	$(BIN)/pytest -q -n 2

clean-db:
	rm -f instance/orgflow.sqlite3 instance/orgflow.sqlite3-wal instance/orgflow.sqlite3-shm
