# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TEST_WORKERS ?= 2  # pytest-xdist processes for make test (CI: 2 cores)

.PHONY: run test lint bench models clean install-desktop uninstall-desktop bundle

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first, pinned, so pip takes the CPU wheel on disk and never the CUDA build
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

# a menu entry and icon for double-click launch (Linux): ~/.local/share/applications, ~/.local/share/icons
install-desktop: $(STAMP)
	$(PY) -m explorer.desktop install

uninstall-desktop: $(STAMP)
	$(PY) -m explorer.desktop uninstall

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check trainer explorer tests benchmarks main.py setup.py resources

lint: $(STAMP)
	$(VENV)/bin/ruff check trainer explorer tests benchmarks main.py setup.py resources

# each prints its figures (benchmarks/README.md records them); about 10 minutes in all on 2 cores
bench: $(STAMP)
	$(PY) benchmarks/train_speed.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/gui_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/tool_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/tsne_stall.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/startup.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/scatter_scale.py

# a one-folder desktop bundle that needs no Python on the target machine: dist/latent-explorer/latent-explorer
bundle: $(STAMP)
	$(PY) -m pip install --quiet "pyinstaller>=6.10"
	cd packaging && ../$(PY) -m PyInstaller --noconfirm --distpath ../dist \
		--workpath ../build/pyinstaller latent-explorer.spec
	@du -sh dist/latent-explorer

clean:
	rm -rf $(VENV) build dist *.egg-info
