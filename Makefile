# Two commands on a fresh machine: `make run` and `make test`; each creates .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run demo test bench install

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: $(BIN)/.installed
	$(BIN)/python app.py $(ARGS)

demo: $(BIN)/.installed
	$(BIN)/python app.py --demo $(ARGS)

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(ARGS)

bench: $(BIN)/.installed
	$(BIN)/python bench/fanout.py $(ARGS)
