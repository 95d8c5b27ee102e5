# prereg — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
PG_URL ?= postgres://postgres@127.0.0.1:5432/prereg
JOBS ?= 2

.PHONY: run dev test test-pg lint bench install setup clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# Migrate, load reference and demo data (idempotent), collect static files.
setup: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_reference -v0 >/dev/null
	DEMO_MODE=1 $(PY) manage.py seed_demo

# The real thing: gunicorn + whitenoise, and three task workers beside it (exports and the machine
# reading of photos never hold up the default queue), kept running by run_workers: one that exits
# is started again. No nginx buffers uploads here: threaded workers, so a phone sending a photo for
# a minute holds one thread, not a whole worker, and is not killed by the worker timeout.
run: setup
	@echo "prereg: http://$(HOST):$(PORT)  (Ctrl-C stops the server and the workers)"
	@DEMO_MODE=1 $(PY) manage.py run_workers default exports ocr & workers=$$!; \
	trap 'kill $$workers 2>/dev/null; wait $$workers' EXIT INT TERM; \
	DEMO_MODE=1 $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --worker-class gthread --threads 4 \
	  --access-logfile - --timeout 60 --logger-class prereg.core.logmask.MaskingLogger --no-control-socket

# The debug server, for development only.
dev: setup
	DEBUG=1 DEMO_MODE=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run -v0

test: lint
	$(VENV)/bin/pytest -n $(JOBS)

test-pg: install
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -n $(JOBS)

bench: install
	$(PY) -m bench $(ARGS)

clean:
	rm -rf $(VENV) var/static
