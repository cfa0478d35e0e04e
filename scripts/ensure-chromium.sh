#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the UI's end-to-end journeys (playwright-core drives it;
# no browser is ever downloaded by Playwright). Idempotent: does nothing when the binary is already there.
# Exit 0 when chromium is available, 1 when it is not (the caller decides whether that is an error).
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing and this user cannot apt-get install it" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium from Debian packages (about 90 s)"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq chromium >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq chromium >/dev/null 2>&1 || true
fi
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "ensure-chromium: apt-get install chromium failed" >&2
exit 1
