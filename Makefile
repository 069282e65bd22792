# ASCRU2 PIE manager. Two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_LINK_MODE := copy
# Use uv from PATH, or bootstrap it into .tools/ from PyPI.
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
PY := $(VENV)/bin/python
RUN_ENV := DJANGO_DEBUG=1

.PHONY: run test install system-deps test-system-deps npm-deps migrate seed bench worker beat clean help

help:
	@echo "make run    - install, migrate, load demo data and serve on http://127.0.0.1:8000"
	@echo "make test   - install and run the whole test suite"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python $(PYTHON) --quiet
	@touch $@

system-deps:
	@scripts/system-deps.sh weasyprint

# The tests also want poppler (pdf) and Chromium (browser), installed in the same single
# pass. Without root they are only reported, with the command to run, and the browser
# tests skip; WeasyPrint's libraries stay required.
test-system-deps:
	@scripts/system-deps.sh weasyprint --optional pdf browser

# axe-core for the browser tests (exact versions from package-lock.json).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: browser accessibility tests will be skipped"; fi

npm-deps: node_modules/.installed

install: system-deps $(VENV)/.synced

var:
	@mkdir -p var/media

migrate: install var
	$(RUN_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

run: seed
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: test-system-deps $(VENV)/.synced npm-deps var
	$(PY) -m pytest $(PYTEST_ARGS)

# Issue 16: throwaway databases next to DATABASE_URL's (PostgreSQL) or SQLite files in var/bench,
# production settings (DEBUG off) with throwaway secrets, no email sent. Prints the table and
# writes var/bench/latest.md. Quicker: make bench BENCH_ARGS="--rounds 3 --skip-load".
BENCH_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench-only-secret-key-not-for-production-0123456789abcdef \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver EMAIL_URL=dummymail:// \
	FIELD_ENCRYPTION_KEY=U4KiyhxNdw9pGUxBEuowQwy_MhSLCBFCQzZQoq7CiBE=
bench: install var
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

worker: install
	$(VENV)/bin/celery -A ascru_pie worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A ascru_pie beat --loglevel=info --schedule=var/celerybeat-schedule

clean:
	rm -rf $(VENV) .tools node_modules var/staticfiles
