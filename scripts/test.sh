#!/usr/bin/env bash
# One command to run the whole test suite: proves the runtime install on its own (a fresh venv, `pip install .`,
# the example config served), installs the test tools, lints and type-checks the tree, then the tests start Redis,
# RQ workers, Synapse and Chromium themselves. Extra arguments go to pytest; CSR_SKIP_FIRST_RUN=1 skips the first stage.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
[ "${CSR_SKIP_FIRST_RUN:-}" = 1 ] || scripts/first-run-check.sh
# Lint first: it takes well under a second and fails CI before the slow tests start.
.venv/bin/ruff check --quiet . || {
  echo "test: lint errors above (.venv/bin/ruff check --fix . sorts imports; wrap long lines by hand)" >&2
  exit 1
}
# Types next ([tool.mypy] in pyproject.toml names the packages): a reply typed wrong fails here, not in production.
.venv/bin/mypy || {
  echo "test: type errors above (.venv/bin/mypy reads its settings from pyproject.toml)" >&2
  exit 1
}
# Dependencies point one way (docs/architecture.md); the contract is in pyproject.toml.
.venv/bin/lint-imports --no-cache >/dev/null || {
  .venv/bin/lint-imports --no-cache >&2
  echo "test: an import goes the wrong way between the rooms (see docs/architecture.md)" >&2
  exit 1
}
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
