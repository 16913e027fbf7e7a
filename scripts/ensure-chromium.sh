#!/usr/bin/env bash
# Make sure a system Chromium is available for static chart export (kaleido drives it).
# Installs Debian's chromium with apt-get when running as root; otherwise explains what to run.
set -euo pipefail
for candidate in "${BROWSER_PATH:-}" chromium chromium-browser google-chrome google-chrome-stable; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium package (needed for PNG/SVG/PDF export)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null && exit 0
fi
cat >&2 <<'MSG'
Chromium is missing: static chart export (PNG, SVG, PDF) needs a system Chromium.
Install it, then run the command again:
    sudo apt-get update && sudo apt-get install -y chromium
(or set BROWSER_PATH to an existing Chrome/Chromium executable). HTML export works without it.
MSG
exit 1
