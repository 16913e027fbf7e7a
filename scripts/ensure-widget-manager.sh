#!/usr/bin/env bash
# Install the Jupyter widget manager (npm package @jupyter-widgets/html-manager, pinned) into DEST, so that
# executed notebooks' HTML can inline it and show their widgets offline. Needs npm (Debian: apt-get install npm).
# Usage: scripts/ensure-widget-manager.sh DEST   (make setup passes .venv/share/tensions/html-manager)
set -euo pipefail
PACKAGE="@jupyter-widgets/html-manager"
VERSION="1.0.15"
LAYOUT="2"  # bump when the set of copied files changes
DEST="${1:?usage: $0 DEST}"
if [ -s "$DEST/embed-amd.js" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$VERSION/$LAYOUT" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "npm not found: installing Debian's npm package (needed to fetch $PACKAGE)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq npm >/dev/null
  else
    echo "npm is missing: install it (sudo apt-get install -y npm), then run make setup again" >&2
    exit 1
  fi
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/dist package/package.json
mkdir -p "$DEST"
cp "$work/package/dist/embed-amd.js" "$work"/package/dist/*.woff2 "$work/package/package.json" "$DEST/"
echo "$VERSION/$LAYOUT" > "$DEST/VERSION"
echo "installed $PACKAGE $VERSION into $DEST"
