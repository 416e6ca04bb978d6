# Local run, tests, lint and benchmarks in .venv; SAM build in its own .venv-sam.
# `make run` and `make test` create .venv and install what is needed on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
ARGS ?=
UV_VERSION := 0.13.9
# The system's Python when it is 3.11 or newer and can make a venv, else the first such Python on PATH;
# override with `make PYTHON=/path/to/python3.12 ...`. A distribution's build (Debian's: static, PGO and LTO) runs
# this code about a fifth faster than one built from source without them (pyenv's default): tests and PDFs alike.
PYTHON ?= $(shell for p in /usr/bin/python3 python3 python3.13 python3.12 python3.11; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; \
	then echo $$p; break; fi; done)
LINT_PATHS := $(wildcard service tests benchmarks)
# The functions template.yaml builds with `BuildMethod: makefile`, and what their packages leave
# out: none of them renders PDFs, so none loads WeasyPrint (PDFs get a function and layer of their own).
LAMBDA_FUNCTIONS := WebFunction WorkerFunction RemindersFunction TrainingReportFunction
LAMBDA_EXCLUDE ?= weasyprint
BUILD_TARGETS := $(addprefix build-,$(LAMBDA_FUNCTIONS))

.PHONY: lock checkov-venv help run test fuzz races bench load lint format system-packages sam-venv build clean routes \
	$(BUILD_TARGETS) build-PdfFunction build-PdfLayer

help:
	@echo "make run       run the service locally on http://127.0.0.1:8000 (ARGS=--reset starts afresh)"
	@echo "make test      run the whole test suite on 2 processes (TEST_WORKERS=0: one; installs the Debian packages it needs when root)"
	@echo "make fuzz      fuzz the JSON API longer than CI does, on moto: 300 examples per operation and the"
	@echo "               state machine through every workflow, 200 journeys of 150 steps (FUZZ_EXAMPLES,"
	@echo "               FUZZ_STATEFUL_EXAMPLES, FUZZ_STATEFUL_STEPS); prints operations, states, requests, 5xx;"
	@echo "               then audits report suppression on random organisations (SUPPRESSION_EXAMPLES=500)"
	@echo "make races     two writers race 1,000 times each on memory, moto and the local run over HTTP"
	@echo "make bench     run the benchmarks"
	@echo "make load      a bounded load test of the local run on loopback (ARGS=\"--seconds 60 --workers 16\")"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make build     sam build (creates $(SAM_VENV) with the SAM CLI first)"
	@echo "make routes    regenerate service/web/route_table.py after adding or changing a route"
	@echo "make lock      upgrade requirements.lock (every pinned package) within pyproject.toml's ranges"
	@echo "make clean     remove the virtualenvs, build output and caches (keeps .local/ data)"

$(VENV_PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.11 or newer is needed and none was found (python3 is: $$(python3 --version 2>&1))." >&2; \
		echo "Install one, or name it: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(STAMP): pyproject.toml requirements.lock | $(VENV_PY)
	@$(VENV_PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "$(VENV) has a Python older than 3.11: remove it (make clean) and try again" >&2; exit 1; }
	@# uv installs the same packages in seconds where pip takes a minute or more; pip is the fallback.
	@# requirements.lock pins every package (`make lock` upgrades it): each machine installs what was tested.
	$(VENV_PY) -m pip install --quiet uv==$(UV_VERSION) && \
		$(VENV)/bin/uv pip install --python $(VENV_PY) -c requirements.lock -e '.[test]' \
		|| $(VENV_PY) -m pip install --no-compile -c requirements.lock -e '.[test]'
	@touch $@

run: $(STAMP)
	$(VENV_PY) -m service.cli run $(ARGS)

# pytest-xdist runs the suite on TEST_WORKERS processes (one per core of the 2-core CI machine), a test
# module per worker at a time (--dist loadfile: a module's live server and browser stay in one process).
# `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 2
test: system-packages $(STAMP) checkov-venv
	$(VENV)/bin/pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(ARGS)

# The CI run of tests/fuzz takes ~20 examples per operation and 20 state-machine journeys of 120 steps on the
# in-memory table; this one takes many more on moto, new random journeys each time, PDFs rendered by WeasyPrint.
FUZZ_EXAMPLES ?= 300
FUZZ_STATEFUL_EXAMPLES ?= 200
FUZZ_STATEFUL_STEPS ?= 150
# The suppression audit (random organisations, every report's figures): 40 examples in CI, 500 here (~2 min).
SUPPRESSION_EXAMPLES ?= 500
fuzz: $(STAMP)
	FUZZ_TABLE=moto FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_STATEFUL_EXAMPLES=$(FUZZ_STATEFUL_EXAMPLES) \
		FUZZ_STATEFUL_STEPS=$(FUZZ_STATEFUL_STEPS) FUZZ_RANDOM=1 FUZZ_PDF=1 \
		$(VENV)/bin/pytest tests/fuzz -p no:cacheprovider $(ARGS)
	SUPPRESSION_EXAMPLES=$(SUPPRESSION_EXAMPLES) $(VENV)/bin/pytest tests/unit/test_suppression_property.py -p no:cacheprovider $(ARGS)

races: $(STAMP)
	RACE_ROUNDS=1000 $(VENV)/bin/pytest tests/integration/test_races.py tests/integration/test_local_races.py \
		tests/integration/test_export_limit_races.py -p no:cacheprovider $(ARGS)

system-packages:
	@bash infra/ensure-system-packages.sh

bench: $(STAMP)
	$(VENV_PY) benchmarks/run.py $(ARGS)

# The lazy app's route table (web/blueprints.py); tests/unit/test_lazy_blueprints.py fails while it is stale.
routes: $(STAMP)
	$(VENV_PY) -m service.web.generated routes service/web/route_table.py
	$(VENV)/bin/ruff format --quiet service/web/route_table.py

load: $(STAMP)
	$(VENV_PY) benchmarks/load_test.py $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

format: $(STAMP)
	$(VENV)/bin/ruff format $(LINT_PATHS)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)

# The lock covers every platform and Python 3.11+ (the Lambda runtime is 3.13); moto stays at the release that
# service/adapters/moto_patches.py names (pyproject.toml pins it: upgrading it is a deliberate change).
lock: | $(VENV_PY)
	$(VENV_PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --upgrade \
		-o requirements.lock

sam-venv: $(SAM)

# checkov pins packages that would downgrade boto3 in .venv: it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
checkov-venv: $(CHECKOV_VENV)/bin/checkov

$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV) || { rm -rf $(CHECKOV_VENV); exit 1; }
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)

$(SAM):
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is needed for the SAM CLI" >&2; exit 1; fi
	$(PYTHON) -m venv $(SAM_VENV) || { rm -rf $(SAM_VENV); exit 1; }
	$(SAM_VENV)/bin/python -m pip install aws-sam-cli

# --build-in-source: SAM runs each function's makefile in the project instead of copying it (and its
# virtualenvs) into a scratch directory once per function.
build: $(SAM)
	$(SAM) build --build-in-source $(ARGS)

# SAM's makefile build of each function (template.yaml: BuildMethod: makefile, CodeUri: .);
# sam build runs `make build-<LogicalId>` with ARTIFACTS_DIR set.
$(BUILD_TARGETS):
	@if [ -z "$(ARTIFACTS_DIR)" ]; then echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; fi
	PYTHON="$(PYTHON)" bash infra/build-function.sh "$(ARTIFACTS_DIR)" $(addprefix --exclude ,$(LAMBDA_EXCLUDE))

# Issue 11: the PDF function is packaged with the `pdf` extra (WeasyPrint); its native libraries and fonts are
# the layer infra/build-pdf-layer.sh builds (with Docker). No other function's package contains WeasyPrint.
build-PdfFunction:
	@if [ -z "$(ARTIFACTS_DIR)" ]; then echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; fi
	PYTHON="$(PYTHON)" bash infra/build-function.sh "$(ARTIFACTS_DIR)" --extra pdf

build-PdfLayer:
	@if [ -z "$(ARTIFACTS_DIR)" ]; then echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; fi
	bash infra/build-pdf-layer.sh "$(ARTIFACTS_DIR)"

clean:
	rm -rf $(VENV) $(SAM_VENV) .venv-checkov .aws-sam build *.egg-info .pytest_cache .ruff_cache .hypothesis test-artifacts
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
