# Two commands on a fresh machine with only Python 3.11+:
#   make run   - set up .venv if missing, then chat in the console (or run the Telegram bot when TELEGRAM_BOT_TOKEN is set)
#   make test  - set up .venv with the dev extras, then ruff and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/helpdesk: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/helpdesk
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/helpdesk run; else $(BIN)/helpdesk chat; fi

test: $(BIN)/helpdesk
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(BIN)/helpdesk
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(BIN)/helpdesk
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
