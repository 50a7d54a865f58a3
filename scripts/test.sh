#!/usr/bin/env bash
# One command to run the whole test suite: installs what it needs, the tests start Redis,
# RQ workers, Synapse and Chromium themselves. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
