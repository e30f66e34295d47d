#!/usr/bin/env bash
# The PDF tests draw page images of each document with pdftoppm (Debian `poppler-utils`).
# Install it when missing and we may (root with apt-get); otherwise say what to install. Never
# fails the set-up: without it the tests still render and read every PDF and skip the images.
set -u
if command -v pdftoppm >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing poppler-utils (pdftoppm) for the PDF page images ..."
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils >/dev/null 2>&1 \
     || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils >/dev/null 2>&1; }; then
    echo "poppler-utils installed."
    exit 0
  fi
fi
echo "WARNING: pdftoppm not found; the PDF tests will skip drawing page images." >&2
echo "         Install it, e.g.: sudo apt-get install poppler-utils" >&2
exit 0
