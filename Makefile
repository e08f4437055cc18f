# Yishi: `make run` serves the demo community, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi.py
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint format translations extract-messages update-messages migrate serve bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Yishi needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile --use-fuzzy -d app/translations

run: $(VENV)/.runtime translations
	$(BIN)/flask yishi migrate
	$(BIN)/flask yishi demo
	$(BIN)/python wsgi.py

# The database schema to the latest migration: once per deploy, before starting processes. Safe when
# several run together (PostgreSQL advisory lock): the others wait, then find nothing to do.
migrate: $(VENV)/.runtime translations
	$(BIN)/flask yishi migrate

# Production: one gunicorn process (one gevent worker) against PostgreSQL and Redis (docs/deploy.md,
# deploy/). Needs SECRET_KEY, DATABASE_URL, REDIS_URL; HOST and PORT say where to listen (default
# 127.0.0.1:5000). Migrates first, under the lock, so two started together both come up.
serve: $(VENV)/.runtime translations
	@test -n "$$SECRET_KEY" || { echo "make serve: set SECRET_KEY (and DATABASE_URL, REDIS_URL; docs/deploy.md)" >&2; exit 2; }
	@test -n "$$DATABASE_URL" || { echo "make serve: set DATABASE_URL, e.g. postgresql://yishi@127.0.0.1/yishi" >&2; exit 2; }
	@test -n "$$REDIS_URL" || echo "make serve: REDIS_URL is not set: one process only, rate limits in memory" >&2
	YISHI_CONFIG=production $(BIN)/flask yishi migrate
	YISHI_CONFIG=production exec $(BIN)/gunicorn --config gunicorn.conf.py

# The suite runs in PYTEST_WORKERS processes (pytest-xdist; 0: in this process): one more than the cores,
# as the server and browser tests spend much of their time waiting on other processes. A file's tests
# run in one worker, the server tests in one (tests/conftest.py). PYTEST_ARGS adds options.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) + 1)')
test: $(VENV)/.dev translations
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

extract-messages: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output .

update-messages: extract-messages
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

# The benchmarks of issue 6 (bench/): writes bench/RESULTS.md. BENCH_ARGS="--quick" or "--only fanout,votes" ("--only search": bench/search.py; "--only district": bench/district_scale.py, the district dashboard at scale).
bench: $(VENV)/.dev translations
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
