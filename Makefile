# Quick start: `make run` starts the app, `make test` runs the whole suite.
# Both create .venv on first use (Python 3.11) and install what they need.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test bench clean render-env samples stress

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.headless true

test: $(TEST_STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache

BENCH_CLIP ?= sample_videos/prone_press_up_clean.mp4
bench: $(STAMP)
	$(VENV)/bin/formcheck bench $(BENCH_CLIP) --exercise prone_press_up

# --- Rendered sample videos (tools/render, own venv: torch CPU + anny; never imported by formcheck) ---
RENDER_VENV := .venv-render
RENDER_PY := $(RENDER_VENV)/bin/python
RENDER_STAMP := $(RENDER_VENV)/.installed

$(RENDER_STAMP): tools/render/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	test -x $(RENDER_PY) || $(PYTHON) -m venv $(RENDER_VENV)
	$(RENDER_PY) -m pip install --quiet --upgrade pip
	$(RENDER_PY) -m pip install --quiet -r tools/render/requirements.txt
	touch $@

render-env: $(RENDER_STAMP)

# Regenerates every clip, its sidecar and sample_videos/README.md (~25,000 frames: about 1 h on 2 idle cores, up to 2 h when shared).
samples: $(RENDER_STAMP)
	$(RENDER_PY) -m tools.render all

# The stress set (factors drawn per clip from its seed; tools/render/README.md): the tune and report sets,
# 33 clips each, into build/stress/ (not in git). About 30,000 frames: 1.5-3 h on 2 cores.
stress: $(RENDER_STAMP)
	$(RENDER_PY) -m tools.render stress --set tune
	$(RENDER_PY) -m tools.render stress --set report
