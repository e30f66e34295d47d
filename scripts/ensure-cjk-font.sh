#!/usr/bin/env bash
# Chinese PDFs (weasyprint) need a CJK font through fontconfig. Install Noto CJK when it is
# missing and we may (root with apt-get); otherwise say exactly what to install. Never fails
# the set-up: the web app works without it, only PDFs would lack Chinese glyphs.
set -u
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing fonts-noto-cjk for Chinese PDFs ..."
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1 \
     || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1; }; then
    fc-cache -f >/dev/null 2>&1 || true
    echo "fonts-noto-cjk installed."
    exit 0
  fi
fi
echo "WARNING: no CJK font found; Chinese text in PDFs will not render." >&2
echo "         Install one, e.g.: sudo apt-get install fonts-noto-cjk" >&2
exit 0
