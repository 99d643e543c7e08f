# hardened.eks — the two commands:  make demo   |   make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
ENV := source .sandbox/env
ROLES_WITH_MOLECULE = $(sort $(patsubst %/molecule/default/molecule.yml,%,$(wildcard roles/*/molecule/default/molecule.yml)))

.PHONY: help venv sandbox sandbox-down unit integration reliability sanity lint compat molecule test demo bench clean

help:
	@echo "make demo   - set up, start the sandbox, run playbooks/site.yml twice (2nd must be changed=0)"
	@echo "make test   - set up, start the sandbox, run every test (unit, integration, reliability,"
	@echo "              ansible-test sanity, ansible-lint, Molecule)"
	@echo "pieces: venv sandbox sandbox-down unit integration reliability sanity lint compat molecule bench clean"

$(STAMP): requirements-dev.txt requirements.txt
	@echo "[venv] creating $(VENV) from the pinned requirements (about 2-4 minutes the first time)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip==25.2
	@echo "[venv] stage 1: ansible, kubernetes, AWS libraries, moto"
	$(VENV)/bin/python -m pip install -q $$(grep -E '^(ansible-core|ansible|kubernetes|boto3|botocore|moto\[server\]|PyYAML)==' requirements-dev.txt)
	@echo "[venv] stage 2: test tools"
	$(VENV)/bin/python -m pip install -q -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

sandbox: venv
	$(VENV)/bin/python scripts/sandbox up

sandbox-down:
	@test -x $(VENV)/bin/python && $(VENV)/bin/python scripts/sandbox down || python3 scripts/sandbox down

unit: venv
	$(VENV)/bin/python -m pytest tests/unit -q

integration: sandbox
	$(ENV) && python -m pytest tests/integration -q

reliability: sandbox
	$(ENV) && python -m pytest tests/reliability -q

sanity: venv
	scripts/sanity

lint: sandbox
	$(ENV) && ansible-lint --profile production --offline

# ansible-core 2.17 and 2.18 (2.19 is the main venv): unit, sanity, site.yml/verify.yml smoke
compat: sandbox
	$(ENV) && scripts/compat

molecule: sandbox
	@set -e; for d in $(ROLES_WITH_MOLECULE); do \
	  echo "[molecule] $$d"; \
	  ($(ENV) && cd $$d && molecule test -s default); \
	done

test: venv sandbox unit integration reliability sanity lint compat molecule
	@echo "[test] all test suites passed"

demo: sandbox
	@$(ENV) && scripts/demo

bench: sandbox
	$(ENV) && python benchmarks/run.py

clean: sandbox-down
	rm -rf .sandbox .cache tests/output .pytest_cache
