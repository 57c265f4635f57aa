#!/usr/bin/env bash
# Install the Debian packages the test suite drives for real: Chromium and PostgreSQL.
# Only what is missing is installed; without root we say what is missing and go on
# (the tests then skip locally, and fail in CI where skipping is not allowed).
set -uo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "system-deps: missing ${missing[*]} and not root (no sudo); those tests will skip locally and fail in CI" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
