#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded browser build). Install it when
# it is missing and we may (root with apt-get); otherwise say so. Never fails the set-up: without
# Chromium the browser tests are skipped with that reason.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests ..."
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
     || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }; then
    echo "chromium installed."
    exit 0
  fi
fi
echo "NOTE: /usr/bin/chromium not found; browser tests will be skipped." >&2
echo "      Install it with: sudo apt-get install chromium" >&2
exit 0
