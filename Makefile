# Two commands do everything on a fresh machine (see README):
#   make setup   system packages, .venv, goaldoc installed, a sample rendered
#   make test    the same set-up if needed, then the whole test suite
PY ?= python3
VENV = .venv
BIN = $(VENV)/bin

.PHONY: setup test lint bench deps

$(BIN)/goaldoc: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

deps:
	bash tools/install-system-deps.sh

setup: deps $(BIN)/goaldoc
	$(BIN)/goaldoc render samples/2024/taishan.yaml

test: deps $(BIN)/goaldoc
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(BIN)/goaldoc
	$(BIN)/ruff check src tests tools bench
	$(BIN)/mypy src

# figures into bench/RESULTS.md: render.py (per sample), speed.py (issue 11's ratios, minutes)
bench: deps $(BIN)/goaldoc
	$(BIN)/python bench/render.py
	$(BIN)/python bench/speed.py
