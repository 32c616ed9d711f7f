# The few commands a person types. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
DEMO_ADDR ?= 127.0.0.1:8000
export KWIK_TEST_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
export KWIK_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install demo test test-quick bench bench-tasks bench-db bench-tools lint format services browser clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) scripts/check_python.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres]"
	touch $@

install: $(VENV)/.installed  ## a virtual environment in .venv with kwik and its test tools

demo: install  ## a demo project in .demo with the catalog example, migrated and seeded (once), served on SQLite
	scripts/make-demo $(BIN) .demo $(DEMO_ADDR)

test: install services browser bench-tools lint  ## everything CI runs: lint, then the whole suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-quick: install  ## the suite without slow end-to-end, browser and PostgreSQL tests
	$(BIN)/python -m pytest -m "not slow and not browser and not postgres" $(PYTEST_ARGS)

$(VENV)/.bench-installed: $(VENV)/.installed benchmarks/requirements.txt constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -r benchmarks/requirements.txt
	touch $@

bench-tools: install $(VENV)/.bench-installed  ## wrk, the peer frameworks and task queues (the suite smoke-tests the benchmarks)
	benchmarks/ensure-wrk

bench: bench-tools services  ## kwik vs FastAPI, Litestar, Starlette+Pydantic under wrk, then the task queue and database benchmarks -> benchmarks/results/
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/tasks/run.py $(BENCH_TASKS_ARGS)
	$(BIN)/python benchmarks/db/run.py $(BENCH_DB_ARGS)

bench-tasks: bench-tools services  ## kwik's task queue vs PgQueuer and procrastinate on the local PostgreSQL -> benchmarks/results/tasks-*
	$(BIN)/python benchmarks/tasks/run.py $(BENCH_TASKS_ARGS)

bench-db: bench-tools services  ## a PostgreSQL list and detail endpoint: kwik vs FastAPI+SQLAlchemy and Starlette+asyncpg -> benchmarks/results/db/
	$(BIN)/python benchmarks/db/run.py $(BENCH_DB_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

services:  ## PostgreSQL and Redis up and answering at KWIK_TEST_DATABASE_URL and KWIK_TEST_REDIS_URL
	scripts/ensure-postgres
	scripts/ensure-redis

browser:  ## Debian's chromium, when the suite has browser tests
	scripts/ensure-chromium

clean:
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache
