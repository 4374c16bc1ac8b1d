#!/usr/bin/env bash
# Installs what Maskroom needs on a fresh Debian/Ubuntu machine, idempotently.
#   bash tools/setup.sh          the app: ffmpeg, node packages, the worker's Python venv
#   bash tools/setup.sh --test   also what the tests use: PostgreSQL, Redis, Chromium, test extras
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
with_tests=false
[ "${1:-}" = "--test" ] && with_tests=true
log() { echo "::: $*"; }

apt_packages=(ffmpeg)
$with_tests && apt_packages+=(postgresql redis-server chromium)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "apt: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

log "node packages ($(node --version), npm $(npm --version))"
npm ci --no-audit --no-fund --loglevel=error

log "python worker venv (.venv)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
if $with_tests; then .venv/bin/pip install -q -e 'gpu-worker[test]'; else .venv/bin/pip install -q -e gpu-worker; fi
log "ready"
