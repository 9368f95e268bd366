# Two commands do all set-up on a fresh machine with Python 3.11:
#   make book   build the static website into _build/html
#   make test   run the whole test suite (unit, property, notebooks, browser)
PYTHON_SYS ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JS_STAMP := node_modules/.installed

.PHONY: book test unit nbval browser lab serve notebooks bench fuzz census captures clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# The widget JavaScript served by the site itself (packages pinned in package-lock.json), bundled
# by esbuild into node_modules/.tcplab-widgets/; the book's Sphinx extension
# scripts/widget_assets.py copies it into _build/html/_static/widgets/.
$(JS_STAMP): package.json package-lock.json scripts/widget_embed.js scripts/widget_icons.css scripts/build_widgets.mjs \
		scripts/no_html_descriptions.js
	npm ci --no-audit --no-fund --ignore-scripts --silent
	node scripts/build_widgets.mjs
	touch $(JS_STAMP)

# The tools that build the in-browser book (requirements-lite.txt).
LITE_STAMP := $(VENV)/.lite-installed
$(LITE_STAMP): $(STAMP) requirements-lite.txt
	$(PY) -m pip install --quiet -r requirements-lite.txt
	touch $(LITE_STAMP)

book: $(STAMP) $(JS_STAMP) $(LITE_STAMP)
	$(VENV)/bin/jupyter-book build -W --keep-going --path-output . .
	$(PY) scripts/build_lite.py
	@echo "The book is in _build/html: open _build/html/index.html, or run 'make serve'."

unit: $(STAMP)
	$(PY) -m pytest -q -n 2 tests --ignore=tests/browser

nbval: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile --nbval book/ --nbval-sanitize-with book/nbval-sanitize.cfg

# Headless Chromium (/usr/bin/chromium, or CHROMIUM=...) on every page of the built site.
browser: book
	$(PY) -m pytest -q -rs tests/browser

test: $(STAMP)
	$(MAKE) unit nbval browser

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=book $(if $(filter 0,$(shell id -u)),--allow-root)

serve: book
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

notebooks: $(STAMP)
	$(PY) scripts/execute_notebooks.py book/

bench: $(STAMP)
	$(PY) benchmarks/bench_core.py

# 50,000 random conversations and raw-input sequences against the promises of tests/fuzzing.py
# (FUZZ_ARGS="--examples 5000 --jobs 2" for a shorter run); the unit suite runs a small Hypothesis profile.
fuzz: $(STAMP)
	$(PY) benchmarks/fuzz.py $(FUZZ_ARGS)

# Every bad input of tests/bad_input_cases.py: tried / clean / other / hang / accepted, and each one not clean.
census: $(STAMP)
	$(PY) benchmarks/census_inputs.py

captures: $(STAMP)
	$(PY) -m tcplab capture --record tcplab/recordings
	$(PY) scripts/record_kernel_traces.py --directory tcplab/recordings
	$(PY) scripts/record_socket_demos.py tcplab/recordings

# .cache/lite keeps the in-browser book's downloads: `rm -rf .cache` fetches them again.
clean:
	rm -rf _build
