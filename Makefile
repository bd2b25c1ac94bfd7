# Signpost: `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
FLASK   = $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run install migrate content demo serve test test-fast lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

content: migrate
	$(FLASK) content import

demo: migrate
	$(FLASK) seed-demo

run: content demo
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: install
	BIND=$(HOST):$(PORT) WEB_CONCURRENCY=2 $(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

# The browser tests' npm packages (axe-core): reinstall when the lock file changes.
node_modules/.installed: package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

test: install node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance/*.sqlite3* .pytest_cache
