#!/usr/bin/env bash
# Runs every suite (training in Python, engine/CLI/Electron modules in vitest, the renderer in
# Chromium through Playwright), then prints one summary line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/pytest.xml test-results/vitest.json test-results/playwright.json
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"

echo "== build (electron-vite: main, preload, renderer; the browser-mode renderer)"
rm -f test-results/build-failed
npx electron-vite build || touch test-results/build-failed
# The browser-mode build too, so that the checks on what it ships run in vitest on a fresh clone;
# Playwright's web server then serves this build (HAZELESS_WEB_SKIP_BUILD below).
npx vite build --config renderer/vite.config.ts --logLevel warn || touch test-results/build-failed

echo "== types (tsc and svelte-check over the app, engine, command line and tests)"
rm -f test-results/typecheck-failed
npm run -s typecheck || touch test-results/typecheck-failed

echo "== training (pytest)"
/usr/bin/python3 -m pytest -q training/tests --junitxml=test-results/pytest.xml
echo "== engine, command line, Electron modules (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
echo "== renderer in Chromium (playwright)"
HAZELESS_WEB_SKIP_BUILD=1 PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json

node scripts/count-results.mjs test-results
