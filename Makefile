# The doors: make test, make run, make bench, make lint.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp

.PHONY: venv bytecode system dynamodb assets locales messages axe test lint bench run dev front-conf

venv: $(STAMP)

# Reinstall only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Our own modules compiled to bytecode once (__pycache__/, not in git): the tests, the benchmarks and
# `make run` start hundreds of interpreters that import them, and where PYTHONDONTWRITEBYTECODE is set
# (it is on the machines measured) none would be cached: each would compile engine/ and ui/ again.
bytecode: venv
	@$(PY) -m compileall -q -j 0 Home.py engine ui pages bench tests > /dev/null

# Debian packages the tests need, installed in one apt-get run when any is missing: chromium (the e2e
# browser), nginx and its brotli_static module (the deploy and replica tests run the shipped site),
# fonts-dejavu-core (the score sheets' Unicode font; engine/views/sheets.py falls back to Latin-1 without it),
# zbar-tools (zbarimg: the vote's browser test reads the kiosk's QR code as a phone's camera would).
DEBIAN_NEEDS := /usr/bin/chromium:chromium /usr/sbin/nginx:nginx \
	/usr/lib/nginx/modules/ngx_http_brotli_static_module.so:libnginx-mod-http-brotli-static \
	/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core /usr/bin/zbarimg:zbar-tools
system:
	@missing=""; for need in $(DEBIAN_NEEDS); do \
		[ -e "$${need%%:*}" ] || missing="$$missing $${need##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

dynamodb: venv
	@$(PY) -m engine db --fetch-only

# Streamlit's JS and CSS compressed once (brotli and gzip) into .assets/, served from there (ui/assets.py);
# about half a minute the first time for each Streamlit version, then nothing.
assets: venv
	@$(PY) -m ui.assets

# The message catalogues (README, Languages): each locales/LANG/LC_MESSAGES/messages.po compiled to its .mo
# (not in git) when the .po is newer. `make messages` extracts locales/messages.pot from the code (babel.cfg)
# and merges it into every .po, for translators.
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
locales: venv $(MO_FILES)
locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po
	@$(VENV)/bin/pybabel -q compile -i $< -o $@ -l $*

messages: venv
	PYTHONPATH=. $(VENV)/bin/pybabel -q extract -F babel.cfg -k lazy -k t --no-location --sort-output \
		--project Stagescore --msgid-bugs-address "" -o locales/messages.pot .
	$(VENV)/bin/pybabel -q update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete
# axe-core (Deque's WCAG rules, npm), injected by tests/e2e/test_accessibility.py into every page; the
# version is pinned in tests/support/axe.py too.
AXE_VERSION := 4.14.1
AXE := .axe/$(AXE_VERSION)/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	npm install --silent --no-audit --no-fund --no-save --prefix .axe/$(AXE_VERSION) axe-core@$(AXE_VERSION)

# pytest exits 5 when it collects no tests: that is not a failure here. Three workers (pytest-xdist) on two
# cores, since the clocked tests mostly wait: the browser tests against the clock on one, one after
# another, the fault tests on another, the other files beside them (tests/conftest.py's scheduler);
# PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= 3
test: venv bytecode system dynamodb assets locales axe
	@$(PY) -m pytest -n $(PYTEST_WORKERS); rc=$$?; if [ $$rc -eq 5 ]; then echo "No tests collected."; exit 0; fi; exit $$rc

# lint-imports: the dependency rule between engine/'s layers, ui/ and pages/ (pyproject.toml's contracts).
lint: venv
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

# Each script in bench/ starts and stops what it needs; figures go to bench/results/latest.json.
# A missed target is reported, not a failure. A short run: make bench SOAK_MINUTES=2
SOAK_MINUTES ?= 30
bench: venv bytecode dynamodb system assets locales
	$(PY) -m bench.run_all --soak-minutes $(SOAK_MINUTES)

PORT ?= 8501
DYNAMODB_PORT ?= 8000
# One web process serves a few hundred page loads a minute (README, Performance). WEB_PROCESSES=2 runs two
# (one per core) on PORT+1, PORT+2 behind a local nginx on PORT (deploy/nginx/local.conf.in), as a server
# runs stagescore-web@8501 and @8502 behind the shipped site.
WEB_PROCESSES ?= 1
ifeq ($(WEB_PROCESSES),1)
WEB_PORT := $(PORT)
WEB_ADDRESS := 0.0.0.0
RUN_PROCESSES := db engine web
else
WEB_PORT := $(shell echo $$(($(PORT) + 1)))
WEB_ADDRESS := 127.0.0.1
RUN_PROCESSES := db engine web front
endif
export PORT DYNAMODB_PORT WEB_PORT WEB_ADDRESS

# The embedded default: DynamoDB Local persisted in ./data, the engine and Streamlit, supervised by honcho.
# nginx's files for WEB_PROCESSES > 1: the upstream lists each web process's port.
BROTLI_MODULE := /usr/lib/nginx/modules/ngx_http_brotli_static_module.so
RUN_DIR ?= $(CURDIR)/.run
front-conf:
	@mkdir -p $(RUN_DIR)
	@upstreams=""; for i in $$(seq 1 $(WEB_PROCESSES)); do \
		upstreams="$$upstreams        server 127.0.0.1:$$(($(WEB_PORT) + i - 1)) max_fails=1 fail_timeout=10s;\n"; \
	done; \
	if [ -e $(BROTLI_MODULE) ]; then brotli="load_module $(BROTLI_MODULE);"; brotli_static="brotli_static on;"; fi; \
	sed -e "s|@RUN@|$(RUN_DIR)|g" -e "s|@PORT@|$(PORT)|" -e "s|@ASSETS@|$(CURDIR)/.assets/current|" \
		-e "s|@BROTLI@|$$brotli|" -e "s|@BROTLI_STATIC@|$$brotli_static|" \
		-e "s|@UPSTREAMS@|$$upstreams|" deploy/nginx/local.conf.in > $(RUN_DIR)/nginx.conf

run: venv bytecode dynamodb assets locales $(if $(filter 1,$(WEB_PROCESSES)),,front-conf)
	@$(PY) -m engine preflight --port $(PORT) --db-port $(DYNAMODB_PORT)
	@echo "Stagescore is starting. Open:"
	@echo "  judges:       http://localhost:$(PORT)/judge"
	@echo "  admin:        http://localhost:$(PORT)/admin"
	@echo "  public board: http://localhost:$(PORT)/leaderboard  (projector: /leaderboard?kiosk=1)"
	@echo "Demo logins are printed below the first time only. Ctrl-C stops everything."
	@AWS_ENDPOINT_URL_DYNAMODB=$${AWS_ENDPOINT_URL_DYNAMODB:-http://127.0.0.1:$(DYNAMODB_PORT)} \
	 AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-local} \
	 AWS_REGION=$${AWS_REGION:-us-east-1} \
	 $(if $(filter 1,$(WEB_PROCESSES)),,STAGESCORE_TRUSTED_PROXIES=127.0.0.1) \
	 $(VENV)/bin/honcho start -f Procfile -c web=$(WEB_PROCESSES) $(RUN_PROCESSES)

# `make run` for a developer: Streamlit's file watchers, rerun on save, tracebacks and its developer menu
# (ui/serve.py, DEV_OPTIONS). Production settings stay the default (.streamlit/config.toml).
dev: export STAGESCORE_DEV = 1
dev: run
