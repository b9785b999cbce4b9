# Two commands do everything on a fresh machine (see README):
#   make setup   system packages, .venv, goaldoc installed and on the PATH, a sample rendered
#   make test    the same set-up if needed, then the whole test suite
PY ?= python3
VENV = .venv
BIN = $(VENV)/bin

.PHONY: setup test lint bench deps

# PYTHONWARNINGS: setuptools warns ~400 lines that each templates/<region>/ folder is data,
# not a package — it is data (a new region needs no line in pyproject.toml: issue 8 item 5)
$(BIN)/goaldoc: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/pip install -q -e '.[test]'
	touch $@

deps:
	bash tools/install-system-deps.sh

# compileall: an editable install leaves goaldoc's bytecode to the first imports, which never
# write it where PYTHONDONTWRITEBYTECODE is set (Docker's python images, this machine): every
# start then compiled ~110 modules again, ~100 ms of a one-file render (issue 23, cold start)
setup: deps $(BIN)/goaldoc
	@$(BIN)/python -m compileall -q src/goaldoc
	@sh tools/link-goaldoc.sh "$(CURDIR)/$(BIN)/goaldoc"
	$(BIN)/goaldoc render samples/2024/taishan.yaml

test: deps $(BIN)/goaldoc
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(BIN)/goaldoc
	$(BIN)/ruff check src tests tools bench
	$(BIN)/mypy src

# figures into bench/RESULTS.md: render.py (per sample), speed.py (issue 11's ratios, minutes),
# floors.py (issue 23: rows against the libraries' floors, minutes)
bench: deps $(BIN)/goaldoc
	$(BIN)/python bench/render.py
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/floors.py
