# The front door: `make run` serves the site with demo content, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first interpreter that is Python 3.12 or newer. pyenv shims exist for versions that are
# not selected, so each candidate is asked for its version rather than just looked up.
PYTHON_CANDIDATES := python3.13 python3.12 python3
PYTHON := $(or $(PYTHON),$(shell for p in $(PYTHON_CANDIDATES); do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$p; break; fi; done))

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run serve test lint format venv check-python bench soak outage

help:
	@echo "make run    set up, migrate, load demo content, serve on http://$(HOST):$(PORT)/"
	@echo "make test   set up and run the whole test suite"
	@echo "make serve  the production profile (DEBUG off, gunicorn, a task worker) on http://$(HOST):$(PORT)/"
	@echo "           (add SEED=1 to load the demo essays and comments first)"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make bench  benchmarks under gunicorn + PostgreSQL + Redis (prints a table)"
	@echo "make soak   60 s of concurrent readers and posters; 5xx and lost comments must be 0"
	@echo "make outage Akismet refusing, timing out, failing, rejecting the key: none lost"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python 3.12 or newer is needed (tried: $(PYTHON_CANDIDATES))." >&2; \
		echo "Install Python 3.12+ or point to one with: make PYTHON=/path/to/python3.13 ..." >&2; \
		exit 1; fi

$(STAMP): pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@export DJANGO_DEBUG=$${DJANGO_DEBUG:-true}; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py seed_demo && \
	echo && echo "Serving on http://$(HOST):$(PORT)/  (admin: /admin/, moderation queue: /moderation/)" && echo && \
	exec $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production profile on this machine: DEBUG off, gunicorn, whitenoise's hashed files.
# Settings come from the environment or .env (see .env.example); DJANGO_SECRET_KEY is
# required. Served over plain HTTP on 127.0.0.1, so HTTPS redirects and secure cookies
# are off unless set otherwise, and SITE_URL is this address unless set (here or in .env).
# Demo content only when asked: `make serve SEED=1` (it writes to whatever DATABASE_URL is).
# Comments are screened by a task worker (django-tasks-db's db_worker), never in the
# request: deploy/serve.sh runs it beside gunicorn and stops both when either stops.
serve: $(STAMP)
	@export DJANGO_DEBUG=false TASKS_BACKEND=django_tasks_db.DatabaseBackend \
		DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-false} \
		DJANGO_SECURE_COOKIES=$${DJANGO_SECURE_COOKIES:-false} DJANGO_HSTS_SECONDS=$${DJANGO_HSTS_SECONDS:-0} \
		DJANGO_SERVE_MEDIA=$${DJANGO_SERVE_MEDIA:-true} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}; \
	if [ -z "$${SITE_URL:-}" ] && ! grep -qs '^[[:space:]]*SITE_URL=.' .env; then \
		export SITE_URL=http://$(HOST):$(PORT); fi; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py collectstatic --noinput -v0 && \
	if [ "$(SEED)" = 1 ]; then $(BIN)/python manage.py seed_demo; fi && \
	echo "Serving the production profile on http://$(HOST):$(PORT)/ (gunicorn and a task worker)" && \
	GUNICORN_BIND=$(HOST):$(PORT) BIN=$(BIN) exec deploy/serve.sh

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/run.py

soak: $(STAMP)
	$(BIN)/python bench/soak.py --seconds $${SOAK_SECONDS:-60}

outage: $(STAMP)
	$(BIN)/python bench/akismet_outage.py
