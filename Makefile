# OrgFlow: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := webapp:create_app

.PHONY: setup run test lint fonts clean-db

setup: $(STAMP) fonts
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

run: setup
	$(BIN)/flask demo load --once
	$(BIN)/flask serve --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_layers.py

test: setup lint
	$(BIN)/pytest -q -n 2

clean-db:
	rm -f instance/orgflow.sqlite3 instance/orgflow.sqlite3-wal instance/orgflow.sqlite3-shm
