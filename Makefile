# Two commands on a fresh machine: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test install lint check messages bench proof fuzz clean

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Development store on the embedded defaults (SQLite, file-system broker) unless
# DATABASE_URL / REDIS_URL say otherwise.
run: export DEBUG ?= 1
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --first-time-only --history-days 90
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py runstore --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Rebuild the compiled translations after editing locale/*/LC_MESSAGES/django.po (needs GNU gettext).
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=var --no-obsolete
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

# Benchmarks on PostgreSQL and Redis (see bench/README.md); each prints numbers and writes bench/results/*.json.
bench: $(STAMP)
	$(BIN)/python bench/storefront.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/claim.py

# Fault scenarios (bench/faults/): each starts its own redis-server, database and worker, injects
# the fault and prints what a customer would notice; exit status 1 when a promise breaks.
proof: $(STAMP)
	$(BIN)/python bench/faults/redis_down.py
	$(BIN)/python bench/faults/worker_kill.py

# The API contract under schemathesis (bench/api_fuzz.py): a fresh database and gunicorn, a few
# generated requests per operation as a guest, a customer and a manager; no 5xx, no answer outside
# the schema. Exit status 1 on any failure, each printed with a curl command that reproduces it.
fuzz: $(STAMP)
	$(BIN)/python bench/api_fuzz.py

clean:
	rm -rf $(VENV) var
