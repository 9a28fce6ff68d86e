# Two commands on a fresh machine (each installs what it needs first):
#   make site   - build the careers site into public/
#   make test   - run the whole test suite (unit, browser, accessibility, HTML validity)
# and the check CI runs on every content change and before every publish:
#   make check-site - check the current content as a site: files valid, built pages valid, accessible, linked
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: site test check check-site serve bench clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) -r requirements-dev.txt
	touch $@

# BASE_URL overrides site.toml's base_url (CI passes the GitHub Pages URL): make site BASE_URL=https://...
site: $(VENV)/.runtime
	$(PY) build.py build $(if $(BASE_URL),--base-url "$(BASE_URL)")

check: $(VENV)/.runtime
	$(PY) build.py check

serve: $(VENV)/.runtime
	$(PY) build.py serve

# BASE_URL as for make site; OUT=DIR keeps the checked build there (the publish job uploads it).
check-site: $(VENV)/.dev
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 scripts/install-test-tools
	$(PY) -m tests.sitecheck $(if $(BASE_URL),--base-url "$(BASE_URL)") $(if $(OUT),--out "$(OUT)")

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
