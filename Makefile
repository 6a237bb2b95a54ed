# Two commands for a new machine: `make run` and `make test`. Both create the
# virtualenv and install the pinned requirements first.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first Python >= 3.12 found (Django 6 needs it); override with PYTHON=...
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$$HOME/.pyenv/versions/3.14*/bin/python3 $$HOME/.pyenv/versions/3.13*/bin/python3 \
	$$HOME/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.1[234] /usr/bin/python3.1[234]; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v "$$p"; break; }; done)

.PHONY: run test lint drills check clean

$(STAMP): requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is required and none was found."; \
		echo "Install one (e.g. 'pyenv install 3.13' or your system's python3.13 package),"; \
		echo "or point to it: make PYTHON=/path/to/python3.13 ..."; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	"$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# ADDRESS (default 127.0.0.1:8000) is where it serves; links in emails point
# there too (SITE_URL), unless SITE_URL is set.
ADDRESS ?= 127.0.0.1:8000
run: export DEBUG := $(or $(DEBUG),1)
run: export SITE_URL := $(or $(SITE_URL),http://$(ADDRESS))
run: $(STAMP)
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(ADDRESS)

# The catalogues are compiled first: the tests read the pages in every language.
test: $(STAMP)
	DEBUG=1 $(PY) manage.py compile_translations
	$(PY) -m pytest $(ARGS)

# Fault drills against gunicorn on PostgreSQL (see README "Drills"): they
# recreate DRILL_DATABASE_URL's database (its name must contain "drill");
# the nodes drill empties DRILL_REDIS_URL's Redis database (default db 14).
drills: $(STAMP)
	@failed=""; for drill in concurrency lock restart smtp nodes; do \
		$(PY) -m drills.$$drill || failed="$$failed $$drill"; done; \
	if [ -n "$$failed" ]; then echo "Failed drills:$$failed"; exit 1; fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
