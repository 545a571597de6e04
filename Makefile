# The doors: make test, make run, make bench, make lint.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp

.PHONY: venv browser dynamodb test lint bench run

venv: $(STAMP)

# Reinstall only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Chromium is missing: installing Debian's chromium with apt-get."; \
		apt-get update && apt-get install -y chromium; \
	fi

dynamodb: venv
	$(PY) -c 'from engine.localdb import ensure_installed; ensure_installed()'

# pytest exits 5 when it collects no tests: that is not a failure here.
test: venv browser dynamodb
	@$(PY) -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "No tests collected."; exit 0; fi; exit $$rc

lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench:
	@echo "not yet"

run:
	@echo "not yet"
