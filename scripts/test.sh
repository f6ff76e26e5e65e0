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

status=0
# One project at a time: the pipeline tests share the render container and 2 cores, and
# running them side by side only makes every one of them slower and flakier.
for project in render-container worker worker-providers faults web; do
  log "tests: $project"
  vitest run --project "$project" --reporter=default --reporter=json \
    --outputFile.json="$results/$project.json" || status=$?
done

if [[ $status -eq 0 || ${E2E_AFTER_FAILURE:-} == 1 ]]; then
  log "tests: e2e (Chromium against the app as npm start runs it)"
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
