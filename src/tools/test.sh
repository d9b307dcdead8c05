#!/usr/bin/env bash
# The whole test suite (README's second command). Type check and lint run as tests inside vitest, so the closing
# line `N passed, N failed` counts them too.
set -uo pipefail
cd "$(dirname "$0")/../.."
export TZ=UTC NO_COLOR=1 FORCE_COLOR=0
# what the end-to-end tests need: Chromium (PDF) and poppler-utils (pdftotext, pdfinfo, pdffonts)
need=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "the tests need: ${need[*]} (Debian: sudo apt-get install --no-install-recommends ${need[*]})" >&2
  fi
fi
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
# the CLI tests run the compiled dist/ that `bulletin` uses after set-up
npm run --silent compile
# the boundaries of both geographies: 2019–2024 (300 Flemish municipalities) and since 1 January 2025 (285), side by
# side (one core each)
shp=../shared/reference/statbel-municipalities-pic/source_shapefiles
if [ ! -f data/geo/municipalities.topo.json ] && [ -f $shp/gemeente2024.shp ]; then
  node src/bin.js geo import $shp/gemeente2024.shp --geography 2024 >/dev/null 2>&1 &
fi
if [ ! -f data/geo/municipalities-2025.topo.json ] && [ -f $shp/gemeente.shp ]; then
  node src/bin.js geo import $shp/gemeente.shp --geography 2025 >/dev/null 2>&1 &
fi
wait
# the rounds' disclosure patterns (2023, 2024, 2025) into the machine's cache, beside the first test files: a test
# that needs one of them waits for this process to write it instead of computing it too (README § Confidentiality)
node src/bin.js check --year 2025 >/dev/null 2>&1 &
npx vitest run --config test/vitest.config.ts
rc=$?
wait
exit $rc
