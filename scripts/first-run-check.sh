#!/usr/bin/env bash
# The first stage of scripts/test.sh: what a newcomer does, on the runtime install alone (no extras).
# A fresh venv gets `pip install .`; then `csr-bridge --help`, `check-config` on the example, and `serve` on
# the example's embedded Redis and homeserver (free ports, a private data_dir), driven by first_run_check.py.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d -t csr-first-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$SECONDS
python3 -m venv "$work/venv"
# pip's own notices (and this machine's pip config) go to the log; its errors still end the check.
"$work/venv/bin/pip" install -q --upgrade pip >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
"$work/venv/bin/pip" install -q "$repo" >>"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
echo "first-run check: runtime install in a fresh venv took $((SECONDS - started)) s"
cd "$work"  # away from the checkout, so only the installed package can be imported
"$work/venv/bin/csr-bridge" --help >/dev/null
"$work/venv/bin/csr-bridge" check-config "$repo/config.example.toml" >/dev/null
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
hs_port=$(free_port)
sed -e "s|^data_dir = .*|data_dir = \"$work/data\"|" \
    -e "s|^port = 8080 |port = $port |" \
    -e "s|127.0.0.1:8080|127.0.0.1:$port|g" \
    -e "s|^embedded_port = 8008 |embedded_port = $hs_port |" \
    -e "s|^articles_dir = \"kb\"|articles_dir = \"$repo/kb\"|" \
    "$repo/config.example.toml" > "$work/config.toml"
"$work/venv/bin/csr-bridge" check-config "$work/config.toml" >/dev/null
"$work/venv/bin/python" "$repo/scripts/first_run_check.py" "$work" "http://127.0.0.1:$port" \
  "$work/venv/bin/csr-bridge" serve --config "$work/config.toml"
echo "first-run check: passed in $((SECONDS - started)) s"
