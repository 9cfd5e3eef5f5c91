# AI Engineer Labs. `make help` lists the targets.
# Every target that needs the environment depends on `setup`, so each works on a fresh clone.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.setup-stamp
# Build llama.cpp without the multimodal tool, using every core.
LLAMA_CMAKE_ARGS := -DLLAVA_BUILD=OFF
JOBS   := $(shell nproc 2>/dev/null || echo 2)
# Tests run with the network cut (a private network namespace, loopback only) where the
# machine allows it; pytest-socket blocks non-loopback connections either way.
OFFLINE := scripts/offline
# pytest-xdist: one worker per core. A test file or a notebook runs whole in one worker
# (--dist loadfile), so module fixtures and models load once per worker and a notebook's cells
# keep their order; the workers split the cores' threads between them (tests/conftest.py).
# WORKERS=1 runs everything in one process.
WORKERS ?= auto
XDIST   := $(if $(filter 1,$(WORKERS)),,-n $(WORKERS) --dist loadfile)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False

.PHONY: help setup lab test test-fast check grade notebooks bench mutants release lint clean distclean

help:
	@echo "make setup       create .venv and install everything (first time: ~5 min on 2 cores and a fast link, builds llama.cpp)"
	@echo "make lab         open JupyterLab on notebooks/"
	@echo "make test        the full suite on the reference solutions, offline (what CI runs)"
	@echo "make check LAB=llm_basics   grade your labs/<LAB>.py"
	@echo "make grade       grade all your labs (Markdown report)"
	@echo "make notebooks   run every notebook (nbval) against the solutions"
	@echo "make bench       performance figures (local models vs raw libraries)"
	@echo "make mutants     every lab's mutants, the expensive ones too (make test runs the rest)"
	@echo "make release     regenerate labs/ stubs from solutions/ (keeps your edits)"

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	@bash scripts/setup.sh "$(PYTHON)" "$(VENV)" "$(LLAMA_CMAKE_ARGS)" "$(JOBS)"
	@touch $(STAMP)

# As root (a container, a VM), Jupyter refuses to start without --allow-root.
lab: setup
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	$(VENV)/bin/aie release --check
	$(VENV)/bin/ruff check aie solutions tests bench
	$(OFFLINE) $(PY) -m pytest tests --target=solutions -q $(XDIST)
	$(MAKE) --no-print-directory notebooks

test-fast: setup
	$(OFFLINE) $(PY) -m pytest tests/aie --target=solutions -q -m "not slow"

check: setup
	@test -n "$(LAB)" || (echo "usage: make check LAB=<lab id>   (see: .venv/bin/aie list)"; exit 2)
	$(VENV)/bin/aie check $(LAB)

grade: setup
	$(VENV)/bin/aie grade --format markdown

notebooks: setup
	AIE_TARGET=solutions MPLBACKEND=Agg $(OFFLINE) $(PY) -m pytest --nbval-lax --nbval-current-env -p no:randomly notebooks/ -q --target=solutions --timeout=900 $(XDIST)

bench: setup
	$(OFFLINE) $(PY) bench/run.py

# Every lab's mutants, including the exercises `make test` leaves out for their cost
# (tests/mutants/<lab>/EXPENSIVE: fine-tuning and quantising, minutes per mutant).
mutants: setup
	@set -e; for lab in $$($(PY) -c 'from aie.grading.manifest import load_curriculum; print(*[l.id for l in load_curriculum().labs])'); do \
	  $(OFFLINE) $(PY) tests/mutants/run.py $$lab --all; done

release: setup
	$(VENV)/bin/aie release

lint: setup
	$(VENV)/bin/ruff check aie solutions tests bench

clean:
	rm -rf .pytest_cache .aie build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
