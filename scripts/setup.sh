#!/usr/bin/env bash
# Installs whatever imsim needs and is missing, then builds dist/.
# Safe to run again: each step checks first, so a second run takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*" >&2; }
# One setup at a time (tests and notebooks may start it in parallel).
exec 9>.setup.lock
flock 9

# 1. Debian packages: Jupyter (nbconvert + nbclient + ipykernel) for the notebooks,
#    redis-server for --redis mode and as the wire-format oracle, SimPy as a bench peer,
#    Chromium (+ a CJK font for the deck's metric names) for the dashboard test (driven by playwright-core),
#    curl for the media-upload CLI test.
DEB_PACKAGES=(redis-server redis-tools jupyter-nbconvert python3-nbclient jupyter-client
  python3-ipykernel jupyter-notebook python3-simpy3 chromium fonts-wqy-microhei curl)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { log "need root (or sudo) to install: ${missing[*]}"; exit 1; }
    SUDO=sudo
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. npm packages, when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 3. Build dist/ (notebooks import the built package by name) when any source is newer.
# The stamp is setup's own (tsc's build info is also touched by other tsc runs).
stamp=dist/.setup-build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find src tsconfig.json tsconfig.build.json package.json -newer "$stamp" -print -quit)" ]; then
  log "building dist/ (tsc)"
  # A fresh build into a new folder, swapped in whole: output of deleted or moved sources does
  # not linger, and a reader never sees a half-written dist/.
  tmp=$(mktemp -d dist.build.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT # a failed build leaves no half-built folder behind
  touch "$tmp/.setup-build-stamp" # sources edited during the build stay newer than the stamp
  node_modules/.bin/tsc -p tsconfig.build.json --outDir "$tmp" --tsBuildInfoFile "$tmp/.tsbuildinfo"
  chmod +x "$tmp/cli/main.js"
  rm -rf dist.old && { [ ! -d dist ] || mv dist dist.old; } && mv "$tmp" dist && rm -rf dist.old
fi

# 4. The tslab Jupyter kernel, registered for Debian's python3 (the one the Jupyter packages use).
if ! /usr/bin/python3 -m jupyter kernelspec list 2>/dev/null | grep -qE '^\s+tslab\s'; then
  log "registering the tslab kernel"
  PATH="$PWD/node_modules/.bin:$PATH" node_modules/.bin/tslab install --python=/usr/bin/python3 >/dev/null
fi
