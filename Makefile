# The two set-up commands are `make run` and `make test`; the rest are their parts.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
RUN_ENV := DEBUG=1
# Each test run has its own Celery queue, so nothing left in Redis by another run is consumed.
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-secret-key CELERY_QUEUE=tracker-test-$(shell date +%s%N)
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-dev migrate demo serve worker beat lint format bench clean

run: install migrate demo serve

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-base: requirements/base.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.txt
	$(PIP) install --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@

migrate: install
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v 0

demo: install
	$(RUN_ENV) $(BIN)/python manage.py load_demo

serve: install
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-dev
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A programme worker --loglevel=INFO

beat: install
	$(BIN)/celery -A programme beat --loglevel=INFO

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
