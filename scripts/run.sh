#!/usr/bin/env bash
# One command to run CSR Bridge on the example config, with its own embedded Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
[ -f config.toml ] || cp config.example.toml config.toml
exec .venv/bin/csr-bridge serve --config config.toml "$@"
