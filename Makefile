# The two set-up commands of the README: `make rehearse` and `make test`.
# Each creates the virtual environment on first use; only Python 3.11+ and make are needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install rehearse test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,web]'
	touch $(STAMP)

install: $(STAMP)

## The main job: a rehearsal of the whole campaign against the local sandbox.
rehearse: $(STAMP)
	$(BIN)/campaign rehearse

## The whole test suite, with lint and type checks.
test: $(STAMP)
	$(BIN)/ruff check scheduler alembic tests bench
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
