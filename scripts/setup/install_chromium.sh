#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the docs-site browser test (tests/python/test_docs_site.py).
#
# Idempotent and safe everywhere:
# - Chromium already on PATH (chromium, chromium-browser, or $CHROMIUM): nothing to do;
# - running as root (CI, a fresh container): `apt-get install -y chromium` from Debian's archive;
# - otherwise (a developer's laptop without sudo rights in make): print how to install it and exit 0,
#   and the browser test skips itself locally (it fails instead when CI=true, so CI never skips it).
set -euo pipefail

find_chromium() {
    local candidate
    for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
        if [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if path="$(find_chromium)"; then
    echo "chromium: found $path"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "chromium: not installed; install Debian's package with: sudo apt-get install -y chromium" >&2
    echo "chromium: (the docs-site browser test skips without it, except under CI=true)" >&2
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: not installed and apt-get is not available: install Chromium and set CHROMIUM=/path" >&2
    exit 1
fi

echo "chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "chromium: installed $(find_chromium)"
