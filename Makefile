# Build and test plumbing for the zstack.cloud Ansible collection.
#
#   make test          every stage in TEST_STAGES (what CI runs); first installs the Debian
#                      packages the stages need (tools/debian_packages.sh)
#   make units         pytest: tests/unit, tests/simulator, tests/tools, against the tree copy
#   make sanity        ansible-test sanity --venv --python 3.11 (offline-safe)
#   make integration   ansible-test integration against the local simulator
#   make novnc-check   the bundled noVNC client is what tools/novnc's pinned packages build to
#   make spice-check   the bundled spice-html5 client is what tools/spice's pinned Debian package builds to
#   make e2e           the browser end-to-end console test (tests/e2e)
#   make units-newest, sanity-newest, integration-newest
#                      the same three on the newest ansible-core (tests/requirements-newest.txt)
#                      and Python 3.12, in .venv-newest and build/newest; make test-newest runs them
#   make demo          build + install the collection, run playbooks/demo.yml against a
#                      simulator started here and left running, print the lines that try the
#                      collection by hand (source build/demo-env.sh); needs only ansible-core and
#                      requests (.venv-demo). make demo-stop stops the simulator
#   make demo-check    the user guide's try-it lines (make demo, source, ansible, make demo-stop),
#                      run exactly as written
#   make lint          ansible-lint (production profile), yamllint, antsibull-changelog lint, and
#                      CHANGELOG.rst + changelogs/changelog.yaml are what the fragments produce
#   make changelog     (re)produce the release galaxy.yml names in changelogs/changelog.yaml and
#                      CHANGELOG.rst from changelogs/fragments/ (antsibull-changelog; docs/releasing.md);
#                      RELEASE_DATE=YYYY-MM-DD sets its date
#   make docs          write the console entry's docs from its type (tools/console_entry_docs.py), then
#                      regenerate docs/reference/ from the plugins' docs (antsibull-docs)
#   make docs-check    those and docs/reference/ up to date, antsibull-docs lint, ansible-doc warnings,
#                      the README's content table
#   make docsite       the documentation site: antsibull-docs' pages and the user docs, built to
#                      HTML by Sphinx in build/docsite/html, then opened in Chromium (tests/docsite):
#                      every page renders, no internal link is broken, external links allowed
#   make ee            execution environment: ansible-builder introspect + create, the example
#                      EE's build context with the tarball
#   make release-check build the tarball, check its files, run the README's install instructions
#                      as written (tarball, git checkout, requirements.yml), run the demo playbook
#                      from the installed copy
#   make bench         benchmark (not a test): consoles for 1, 50, 200 VMs from a
#                      simulator with 20 ms per request, and the console_files role for
#                      1, 10, 50 VMs and two operators next to the module alone (as root;
#                      BENCH_ARGS=--no-role or --role-only); prints the tables of
#                      docs/performance.md, fails if a target is missed
#   make clean         remove build/ and the virtual environments
#
# Knobs: PYTHON (Python 3.11 for .venv), NEWEST_PYTHON (Python 3.12 for .venv-newest),
# PYTEST_ARGS, SANITY_ARGS, INTEGRATION_ARGS, TEST_STAGES, BENCH_ARGS, RELEASE_DATE.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

# Stages of `make test`, in order. Append new stages here (each one a target).
TEST_STAGES ?= units sanity novnc-check spice-check integration e2e lint docs-check docsite ee release-check demo-check \
  units-newest sanity-newest integration-newest
NEWEST_STAGES := units-newest sanity-newest integration-newest

PYTHON ?= python3.11
TEST_PYTHON_VERSION := 3.11
NEWEST_PYTHON ?= python3.12

ROOT := $(abspath .)
VENV := $(ROOT)/.venv
VENV_BIN = $(VENV)/bin
VENV_PY = $(VENV_BIN)/python
VENV_STAMP = $(VENV)/.requirements.stamp
# The requirement file of the venv, and every file it includes (a change to any rebuilds the venv).
REQUIREMENTS := tests/requirements.txt
REQUIREMENT_FILES := tests/requirements.txt tests/requirements-demo.txt

DEMO_VENV := $(ROOT)/.venv-demo

BUILD := $(ROOT)/build
COLLECTIONS = $(BUILD)/collections
TREE = $(COLLECTIONS)/ansible_collections/zstack/cloud
DIST = $(BUILD)/dist
DEMO_COLLECTIONS = $(BUILD)/demo-collections

# The newest-core stages are the stages of the same names, run by a sub-make with these variables.
NEWEST_VARS := VENV=$(ROOT)/.venv-newest PYTHON=$(NEWEST_PYTHON) TEST_PYTHON_VERSION=3.12 \
  REQUIREMENTS=tests/requirements-newest.txt REQUIREMENT_FILES=tests/requirements-newest.txt BUILD=$(ROOT)/build/newest

# Python test paths, relative to the collection root; missing ones are skipped.
UNIT_TEST_DIRS := tests/unit tests/simulator tests/tools

PYTEST_ARGS ?=
SANITY_ARGS ?=
INTEGRATION_ARGS ?=

# Keep tools quiet and deterministic.
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export ANSIBLE_NOCOLOR := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: all test test-newest venv venv-newest venv-demo debian-packages tree seed-ansible-test units sanity novnc-check \
  spice-check integration e2e demo demo-stop demo-check lint changelog docs docs-check docsite ee release-check clean help \
  bench $(TEST_STAGES) $(NEWEST_STAGES)

all: test

help:
	@sed -n '3,45p' Makefile | sed 's/^# \{0,1\}//'

# debian-packages first: one apt-get run for every stage (each stage also ensures its own group, so it
# runs alone too, and under -k a missing package fails only the stages that need it).
test: debian-packages $(TEST_STAGES)
	@echo "make test: all stages passed: $(TEST_STAGES)"

test-newest: $(NEWEST_STAGES)
	@echo "make test-newest: all stages passed: $(NEWEST_STAGES)"

# ---------------------------------------------------------------- Debian packages
# The list is in tools/debian_packages.sh; it installs only what dpkg does not have, as root or through
# passwordless sudo, and otherwise fails at once with the command to run.
debian-packages:
	bash tools/debian_packages.sh ensure

# ---------------------------------------------------------------- venv
venv: $(VENV_STAMP)

# Rebuilt from scratch whenever a requirement file of it changes.
$(VENV_STAMP): $(REQUIREMENT_FILES)
	bash tools/venv.sh "$(VENV)" "$(PYTHON)" $(TEST_PYTHON_VERSION) $(REQUIREMENTS)

venv-newest:
	@$(MAKE) --no-print-directory venv $(NEWEST_VARS)
	$(ROOT)/.venv-newest/bin/python tools/check_pins.py tests/requirements-newest.txt tests/requirements.txt

venv-demo: $(DEMO_VENV)/.requirements.stamp

$(DEMO_VENV)/.requirements.stamp: tests/requirements-demo.txt
	bash tools/venv.sh "$(DEMO_VENV)" "$(PYTHON)" 3.11 tests/requirements-demo.txt

# ---------------------------------------------------------------- newest ansible-core
# units-newest, sanity-newest, integration-newest: the stage without -newest, on .venv-newest.
$(NEWEST_STAGES): venv-newest
	@$(MAKE) --no-print-directory $(@:-newest=) $(NEWEST_VARS)

# ---------------------------------------------------------------- tree
# A fresh copy each time, so edits are always picked up.
tree:
	@bash tools/debian_packages.sh ensure git
	bash tools/collection_tree.sh "$(TREE)"

# ansible-test --venv bootstraps pip from a download host we cannot reach;
# seed its cache with a stand-in that uses ensurepip + PyPI. Idempotent.
seed-ansible-test: venv
	"$(VENV_PY)" tools/seed_ansible_test_cache.py

# ---------------------------------------------------------------- units
# pytest exit code 5 ("no tests collected") is a failure, not a pass. Every test has a time-out
# (pytest-timeout; tests/pytest.ini).
units: venv tree
	@cd "$(TREE)"; \
	dirs=(); for d in $(UNIT_TEST_DIRS); do if [ -d "$$d" ]; then dirs+=("$$d"); fi; done; \
	if [ $${#dirs[@]} -eq 0 ]; then echo "units: none of $(UNIT_TEST_DIRS) exists: no tests to run" >&2; exit 5; fi; \
	set -x; rc=0; \
	PYTHONPATH="$(COLLECTIONS)$${PYTHONPATH:+:$$PYTHONPATH}" \
	  "$(VENV_PY)" -m pytest -p no:cacheprovider -ra $(PYTEST_ARGS) "$${dirs[@]}" || rc=$$?; \
	{ set +x; } 2>/dev/null; \
	if [ $$rc -eq 5 ]; then echo "units: FAILED: pytest collected no tests in $${dirs[*]}" >&2; fi; \
	exit $$rc

# ---------------------------------------------------------------- sanity
sanity: venv tree seed-ansible-test
	@bash tools/debian_packages.sh ensure sanity
	cd "$(TREE)" && "$(VENV_BIN)/ansible-test" sanity --venv --python $(TEST_PYTHON_VERSION) $(SANITY_ARGS)

# ---------------------------------------------------------------- integration
# --local: the controller (and, through the default inventory, the modules)
# run on .venv's python, which has requests. Targets start the simulator from
# tests/simulator/ via `needs/file/tests/simulator/...` aliases.
# ansible-test exits 0 with "All targets skipped." when nothing is runnable, so
# list the targets first and say so plainly.
integration: venv tree seed-ansible-test
	@bash tools/debian_packages.sh ensure integration
	@cd "$(TREE)"; \
	targets=$$("$(VENV_BIN)/ansible-test" integration --list-targets $(INTEGRATION_ARGS) 2>"$(BUILD)/list-targets.err") \
	  || { cat "$(BUILD)/list-targets.err" >&2; exit 1; }; \
	targets=$$(grep -v '^WARNING' <<<"$$targets" || true); \
	if [ -z "$$targets" ]; then \
	  echo "integration: FAILED: no runnable targets under tests/integration/targets" >&2; exit 1; fi; \
	echo "integration: targets:" $$targets; \
	set -x; \
	"$(VENV_BIN)/ansible-test" integration --local --allow-destructive --python-interpreter "$(VENV_PY)" $(INTEGRATION_ARGS)

# ---------------------------------------------------------------- demo
# Build and install the collection like a user would, start the simulator on a free port, run playbooks/demo.yml
# against it, and leave the simulator running with build/demo-env.sh, which sets up a shell to try the collection
# by hand (tools/demo.sh prints the lines; docs/user-guide.md has them too). `make demo-stop` stops it.
# Only what the collection needs at run time: .venv-demo has ansible-core and requests.
demo: venv-demo
	bash tools/demo.sh run "$(DEMO_VENV)" "$(BUILD)"

demo-stop:
	bash tools/demo.sh stop "$(BUILD)"

# The user guide's "Try it without a ZStack cloud" lines, run as written from the repository root (tools/demo_check.sh).
demo-check:
	bash tools/demo_check.sh "$(BUILD)/demo-check"

# ---------------------------------------------------------------- novnc-check
# The noVNC client bundled into the launchers (plugins/module_utils/_novnc.py) is what the pinned npm packages
# build to (tools/novnc/README.md): rebuilt from the registry with npm ci + esbuild, compared with the committed one.
novnc-check:
	@command -v npm >/dev/null 2>&1 || bash tools/debian_packages.sh ensure node
	python3 tools/novnc/build.py --check

# ---------------------------------------------------------------- spice-check
# The spice-html5 client bundled into the launchers (plugins/module_utils/_spice.py) is what the pinned Debian
# package builds to (tools/spice/README.md): the .deb downloaded and checked against its SHA-256, esbuild from npm.
spice-check:
	@command -v npm >/dev/null 2>&1 || bash tools/debian_packages.sh ensure node
	python3 tools/spice/build.py --check

# ---------------------------------------------------------------- e2e
# The browser end-to-end test (tests/e2e/README.md): Xvnc, websockify with a token
# directory, Debian's noVNC and Chromium driven by Playwright, as root. It fails,
# never skips, when a part is missing; the screenshots stay in tests/output/e2e/.
# Every test has a time-out (pytest-timeout; tests/e2e/pytest.ini).
e2e: venv tree
	@bash tools/debian_packages.sh ensure e2e
	cd "$(TREE)" && ZSTACK_E2E_OUTPUT_DIR="$(ROOT)/tests/output/e2e" PYTHONPATH="$(COLLECTIONS)" \
	  "$(VENV_PY)" -m pytest -p no:cacheprovider -ra $(PYTEST_ARGS) tests/e2e

# ---------------------------------------------------------------- lint
# In the tree copy (exactly the project's files): ansible-lint, production
# profile, offline, strict (warnings fail too), zstack.cloud resolved from the
# tree (.ansible-lint); yamllint --strict (.yamllint); the changelog fragments.
lint: venv tree
	cd "$(TREE)" && PATH="$(VENV_BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" NO_COLOR=1 \
	  "$(VENV_BIN)/ansible-lint" --offline --profile production --strict
	cd "$(TREE)" && "$(VENV_BIN)/yamllint" --strict .
	cd "$(TREE)" && "$(VENV_BIN)/antsibull-changelog" lint
	cd "$(TREE)" && "$(VENV_BIN)/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
	PATH="$(VENV_BIN):$$PATH" "$(VENV_PY)" tools/changelog.py check "$(TREE)"

# ---------------------------------------------------------------- changelog
# The release galaxy.yml names, produced afresh from changelogs/fragments/ by antsibull-changelog (in a copy of the
# tree: the fragments stay) into changelogs/changelog.yaml and CHANGELOG.rst; run it again after adding a fragment.
RELEASE_DATE ?=
changelog: venv tree
	PATH="$(VENV_BIN):$$PATH" "$(VENV_PY)" tools/changelog.py generate "$(TREE)" $(if $(RELEASE_DATE),--date $(RELEASE_DATE))

# ---------------------------------------------------------------- docs
# docs/reference/ is generated (antsibull-docs) and committed: `make docs`
# rewrites it; `make docs-check` fails when it is stale, then lints the plugin
# and role docs and checks that ansible-doc renders each without a warning.
# The console entry's fields (plugins/module_utils/_console_entry.py) are written into zstack_console_access's
# RETURN and the console_entry doc fragment first (tools/console_entry_docs.py), then the tree is copied again.
docs: venv tree
	PYTHONPATH="$(COLLECTIONS)" "$(VENV_PY)" tools/console_entry_docs.py
	bash tools/collection_tree.sh "$(TREE)"
	PATH="$(VENV_BIN):$$PATH" bash tools/docs.sh generate "$(COLLECTIONS)"

docs-check: venv tree
	PYTHONPATH="$(COLLECTIONS)" "$(VENV_PY)" tools/console_entry_docs.py --check
	PATH="$(VENV_BIN):$$PATH" bash tools/docs.sh check "$(COLLECTIONS)"

# ---------------------------------------------------------------- docsite
# The documentation site (tools/docsite.sh): antsibull-docs' pages of every plugin and role, and the user docs
# (README.md, docs/*.md, the role's README, CHANGELOG.rst, included as pages), built by Sphinx to
# build/docsite/html, offline, warnings as errors; then tests/docsite opens it in headless Chromium: every page
# renders, no internal link or anchor is broken, external links are well-formed and on an allow-list.
docsite: venv tree
	@bash tools/debian_packages.sh ensure docsite
	PATH="$(VENV_BIN):$$PATH" bash tools/docsite.sh "$(COLLECTIONS)" "$(BUILD)/docsite"
	cd "$(TREE)" && DOCSITE_HTML="$(BUILD)/docsite/html" "$(VENV_PY)" -m pytest -p no:cacheprovider -ra tests/docsite

# ---------------------------------------------------------------- ee
# meta/execution-environment.yml, seen by ansible-builder in an installed copy.
ee: venv
	PATH="$(VENV_BIN):$$PATH" bash tools/ee_check.sh "$(BUILD)/ee"

# ---------------------------------------------------------------- release-check
# What a release ships, installed the README's ways, runs the demo (tools/release_check.sh).
release-check: venv
	@bash tools/debian_packages.sh ensure git
	PATH="$(VENV_BIN):$$PATH" bash tools/release_check.sh "$(BUILD)/release-check"

# ---------------------------------------------------------------- bench
# Not part of `make test`: timings belong in docs/performance.md, not in a test.
# BENCH_ARGS: e.g. --full ((b) and (c) for 200 VMs too), --latency-ms, --job-delay.
BENCH_ARGS ?=
bench: venv tree
	"$(VENV_PY)" tools/bench.py --collections "$(COLLECTIONS)" $(BENCH_ARGS)

# ---------------------------------------------------------------- clean
clean:
	-bash tools/simulator.sh stop
	-bash tools/demo.sh stop "$(BUILD)"
	rm -rf "$(BUILD)" "$(VENV)" "$(ROOT)/.venv-newest" "$(DEMO_VENV)" tests/output .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
