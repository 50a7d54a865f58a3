#!/usr/bin/env bash
# Installs what CSR Bridge needs on Debian: system packages (when root) and the Python venv in .venv.
# Usage: scripts/setup.sh [run|test]   ("test" also installs the test tools and Chromium)
# Each step says what it installs and how long it took; a step with nothing to do says nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-run}

step() {  # step "what" command...: runs a command, then says how long it took
  local what=$1 started=$SECONDS
  shift
  echo "setup: $what ..." >&2
  "$@"
  echo "setup: $what: done in $((SECONDS - started)) s" >&2
}

apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

need_pkgs=()
command -v redis-server >/dev/null || need_pkgs+=(redis-server)
python3 -c 'import ensurepip, venv' 2>/dev/null || need_pkgs+=(python3-venv)
if [ "$want" = test ]; then
  command -v chromium >/dev/null || need_pkgs+=(chromium)
  [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need_pkgs+=(fonts-noto-color-emoji)  # emoji in screenshots
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "setup: please install these Debian packages first: ${need_pkgs[*]}" >&2
    exit 1
  fi
  step "installing Debian packages ${need_pkgs[*]} with apt-get" apt_install "${need_pkgs[@]}"
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "setup: Python 3.11 or newer is needed" >&2; exit 1; }
[ -x .venv/bin/python ] || step "creating the virtual environment .venv" python3 -m venv .venv
stamp=.venv/.installed-$want
# A plain (not editable) install, as users get it: reinstalled when the project or its code changed since.
sources=(pyproject.toml bridge routing knowledge transcripts cases reports cobrowse adapters)
if [ ! -f "$stamp" ] || [ -n "$(find "${sources[@]}" -newer "$stamp" -print -quit)" ]; then
  [ -f "$stamp" ] || step "upgrading pip in .venv" .venv/bin/pip install -q --upgrade pip
  if [ "$want" = test ]; then
    step "installing CSR Bridge with its test tools into .venv (a few minutes the first time)" \
      .venv/bin/pip install -q '.[test]'
  else
    step "installing CSR Bridge into .venv (a minute or two the first time: Synapse is among its dependencies)" \
      .venv/bin/pip install -q .
  fi
  touch "$stamp"
fi

# rrweb (co-browse's recorder and player) from npm, pinned in web/package-lock.json; the bridge serves it from
# web/node_modules (cobrowse.rrweb_dir). Never committed.
if [ ! -f web/node_modules/.installed ] || [ web/package-lock.json -nt web/node_modules/.installed ]; then
  command -v npm >/dev/null || {
    echo "setup: npm is needed to install rrweb for co-browse (Debian: apt-get install npm)" >&2; exit 1; }
  step "installing rrweb for co-browse from npm into web/node_modules" \
    npm ci --prefix web --no-audit --no-fund --ignore-scripts --loglevel=error
  touch web/node_modules/.installed
fi
