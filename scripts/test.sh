#!/usr/bin/env bash
# One command to run the whole test suite: installs what it needs, lints the tree, then the tests start
# Redis, RQ workers, Synapse and Chromium themselves. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# Lint first: it takes well under a second and fails CI before the slow tests start.
.venv/bin/ruff check --quiet . || {
  echo "test: lint errors above (.venv/bin/ruff check --fix . sorts imports; wrap long lines by hand)" >&2
  exit 1
}
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
