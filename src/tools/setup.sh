#!/usr/bin/env bash
# One-command set-up on a fresh Debian machine (README's first command): system packages (Chromium for the PDF,
# poppler-utils for PDF checks), npm packages, the real municipal boundaries, then a build of the bulletin.
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need[*]} (apt-get)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "please install: ${need[*]} (Debian: sudo apt-get install --no-install-recommends ${need[*]})" >&2
    exit 1
  fi
fi
npm ci --no-audit --no-fund
npm run --silent compile
# the boundaries of both geographies: 2019–2024 (gemeente2024.shp, 300 Flemish municipalities) and 2025 (gemeente.shp)
dir=../shared/reference/statbel-municipalities-pic/source_shapefiles
for g in 2024:gemeente2024 2025:gemeente; do
  shp=$dir/${g#*:}.shp
  if [ -f "$shp" ]; then
    npx bulletin geo import "$shp" --geography "${g%%:*}" ||
      echo "warning: boundary import failed; the map falls back to a ranked chart" >&2
  else
    echo "note: no boundary file at $shp; see README § Boundaries. The map falls back to a ranked chart." >&2
  fi
done
npx bulletin build
