# One-command entry points. `make serve` and `make test` set everything up on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build check test lint chromium vnu bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

## serve: install, then serve the site with live reload on http://127.0.0.1:8000/
serve: $(VENV)/.installed
	$(VENV)/bin/mkdocs serve

## build: install, then build the site into site/ (fails on any warning)
build: $(VENV)/.installed
	$(VENV)/bin/mkdocs build --strict

## check: validate claims, references and prose (what CI runs first)
check: $(VENV)/.installed
	$(VENV)/bin/evidence check --strict .

## chromium: install Debian's chromium for the browser tests if it is missing
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
	  fi; }

## vnu: the Nu Html Checker (npm's vnu-jar, pinned in package.json) and Debian's Java to run it
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VNU_JAR)
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else \
	    echo "HTML validation needs Java: sudo apt-get install default-jre-headless" >&2; exit 1; \
	  fi; }

$(VNU_JAR): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else \
	    echo "HTML validation needs npm to fetch vnu.jar: sudo apt-get install npm" >&2; exit 1; \
	  fi; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

## lint: ruff and mypy
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check hooks tests bench
	$(VENV)/bin/ruff format --check hooks tests bench
	$(VENV)/bin/mypy

## bench: install, then time `evidence check` and the build against plain MkDocs at 100, 1,000 and
## 10,000 claims; prints the table and writes bench/results.md (BENCH_ARGS="--sizes 1000/500 --repeat 5")
bench: $(VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

## test: install everything, then lint, check the review and run every test
test: $(VENV)/.installed chromium vnu lint check
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) site node_modules .pytest_cache .mypy_cache .ruff_cache
