#!/usr/bin/env bash
# `npm test`: every check, from a fresh clone. Installs what is missing (npm dependencies,
# ffmpeg, fonts, Chromium), then: typecheck, lint, unit and integration tests (render
# container with real ffmpeg, worker on real D1/R2/Durable Objects, web components), and the
# browser end-to-end tests in Chromium against the app started as `npm start` starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

ensure_node_modules
scripts/ensure-system.sh --browser

mkdir -p test-artifacts
results=test-artifacts/results
rm -rf "$results" && mkdir -p "$results"

log "typecheck"
tsc -b
log "lint"
biome check .

log "unit and integration tests"
status=0
vitest run --project render-container --project worker --project worker-providers --project web \
  --reporter=default --reporter=json --outputFile.json="$results/unit.json" || status=$?

if [[ $status -eq 0 || ${E2E_AFTER_FAILURE:-} == 1 ]]; then
  log "building the web app for the end-to-end tests"
  npm run build --silent -w web >/dev/null
  log "browser end-to-end tests (Chromium)"
  vitest run --project e2e --reporter=default --reporter=json --outputFile.json="$results/e2e.json" || status=$?
fi

# One closing line that any CI reads: totals over every vitest run above.
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(`${process.argv[1]}/${f}`, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"
exit $status
