# Two commands on a fresh machine: `make run` and `make test`; each creates .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run demo test test-postgresql test-fast lint bench install translations image docs

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .  # the `idea-factory` command (pyproject.toml)
	touch $@

install: $(BIN)/.installed

run: $(BIN)/.installed
	$(BIN)/python app.py $(ARGS)

demo: $(BIN)/.installed
	$(BIN)/python app.py --demo $(ARGS)

# Everything, as CI runs it (.ci/run): unit, in-process, live-server and browser tests, mypy and
# ruff; then the store, command, live-server and browser tests again with PostgreSQL as the store.
# Each pass runs on JOBS pytest-xdist workers (default 2, the CI machine's cores: the suite spends
# half its time waiting on servers and browsers). --dist loadfile keeps a module on one worker with its
# module-scoped servers and chromium; tests/conftest.py sends the modules with minutes of set-up (the
# container image, the wheel, the hosts in namespaces) out first. Every test picks free ports, and
# names its databases, namespaces and containers after its own process. JOBS=0: one process, as before.
# Measured on the 2-core CI machine: 29.5 min in one process on a quiet machine (SQLite 908 s,
# PostgreSQL 833 s); 20.7 min with JOBS=2 under nice -n 10 while other work kept the load at 5-9
# (SQLite 683 s, PostgreSQL 557 s).
JOBS ?= 2
XDIST := -n $(JOBS) --dist loadfile --no-loadscope-reorder
test: $(BIN)/.installed
	$(BIN)/python -m pytest $(XDIST) $(ARGS)
	$(MAKE) --no-print-directory test-postgresql

# The PostgreSQL pass (IDEA_FACTORY_TEST_PG names the server: default the local one, as root or
# whoever runs it). Tests about SQLite itself, and the tools (ruff, mypy, pybabel, the wheel, the
# container image, the TLS proxy in front), ran on the first pass. Without a server it says so and stops here, except on CI, where it fails.
# The rooms of the PostgreSQL pass (e.g. PG_ROOMS="tests/unit tests/live" to leave the browser out).
PG_ROOMS ?= tests/unit tests/live tests/browser
PG_TOOLS := tests/live/test_lint.py tests/live/test_typing.py tests/live/test_translations.py \
	tests/live/test_package.py tests/live/test_container.py tests/browser/test_tls_proxy.py
test-postgresql: $(BIN)/.installed
	@if $(BIN)/python -c "import os, psycopg; psycopg.connect(os.environ.get('IDEA_FACTORY_TEST_PG', 'postgresql:///postgres')).close()" 2>/dev/null; then \
	  IDEA_FACTORY_TEST_STORE=postgresql $(BIN)/python -m pytest $(XDIST) -m "not sqlite_only" $(PG_ROOMS) \
	    $(foreach tool,$(PG_TOOLS),--ignore=$(tool)) $(ARGS); \
	elif [ -n "$$CI" ]; then echo "PostgreSQL is not reachable: .ci/run starts it" >&2; exit 1; \
	else echo "No PostgreSQL server here: the PostgreSQL pass is left out (see docs/deploy.md)"; fi

# The inner loop: ruff, then tests/unit (in-process: Flask and Flask-SocketIO test clients) on every
# core; no server processes, no browser, no tools (tests/live and tests/browser hold those).
test-fast: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n auto tests/unit $(ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .

# docs/protocol.md's tables of commands, facts and errors, rendered from the code (facilitation/reference.py).
docs: $(BIN)/.installed
	$(BIN)/cog -r docs/protocol.md

bench: $(BIN)/.installed
	$(BIN)/python bench/fanout.py $(ARGS)

# After changing UI text: extract, merge into the Danish catalogue and compile it. The catalogue,
# translations/da/LC_MESSAGES/messages.po, is the one source of Danish: write each new msgstr there
# (by docs/glossary.md), then run this again; it names any message still untranslated.
translations: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --width 100
	@$(BIN)/python -c "from babel.messages.pofile import read_po; \
	  missing = [m.id for m in read_po(open('translations/da/LC_MESSAGES/messages.po', 'rb')) \
	             if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]; \
	  print('untranslated in messages.po:', *missing, sep='\n  ') if missing else None"
	$(BIN)/pybabel compile -d translations

# The container image (Containerfile) from this checkout's wheels, built without network access to
# PyPI; BASE is any Debian bookworm image (docs/deploy.md, "Container"). async-timeout: redis needs it
# on Debian's Python 3.11.2. DEPENDENCIES and WHEELS digest the dependencies' wheels and the project's:
# podman reuses the dependencies' layer until they change.
BASE ?= docker.io/library/debian:bookworm-slim
image: $(BIN)/.installed
	rm -rf build/wheelhouse
	$(BIN)/pip wheel --quiet --wheel-dir build/wheelhouse . async-timeout
	podman build --build-arg BASE=$(BASE) \
	  --build-arg DEPENDENCIES=$$(ls build/wheelhouse/*.whl | grep -v /idea_factory- | xargs cat | sha256sum | cut -c1-16) \
	  --build-arg WHEELS=$$(cat build/wheelhouse/idea_factory-*.whl | sha256sum | cut -c1-16) \
	  -t localhost/idea-factory:latest -f Containerfile .
