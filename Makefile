# Two commands on a fresh machine (each installs what it needs first):
#   make site   - build the careers site into public/
#   make test   - run the whole test suite (unit, browser, accessibility, HTML validity)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: site test check serve bench clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) -r requirements-dev.txt
	touch $@

site: $(VENV)/.runtime
	$(PY) build.py build

check: $(VENV)/.runtime
	$(PY) build.py check

serve: $(VENV)/.runtime
	$(PY) build.py serve

test: $(VENV)/.dev
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 scripts/install-test-tools
	$(PY) -m pytest

# make bench: the performance benchmark beside Hugo (docs/performance.md). SIZES=100,1000 for a quick look.
SIZES ?= 100,1000,10000,30000
REPEAT ?= 3
bench: $(VENV)/.dev
	$(PIP) -r bench/requirements.txt
	$(PY) bench/run.py --sizes $(SIZES) --repeat $(REPEAT) --vs-hugo

clean:
	rm -rf public .cache test-artifacts
