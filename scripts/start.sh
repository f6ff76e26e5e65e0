#!/usr/bin/env bash
# `npm start`: the whole app on the offline defaults, from a fresh clone.
# Installs what is missing, builds the web app, applies D1 migrations, starts the render
# container (Node) and `wrangler dev`, waits until healthy and prints the URL.
# Ctrl-C stops everything; data lives in $PROMPTREEL_DATA_DIR (default .data/) across restarts.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

PORT=${PORT:-8787}
RENDER_PORT=${RENDER_PORT:-8788}
DATA_DIR=${PROMPTREEL_DATA_DIR:-.data}

ensure_node_modules
scripts/ensure-system.sh
ensure_dev_vars
mkdir -p "$DATA_DIR"

log "building the web app"
npm run build --silent -w web >/dev/null || die "web build failed"

log "applying D1 migrations to the local database"
CI=1 wrangler d1 migrations apply DB --local --persist-to "$DATA_DIR/wrangler" >"$DATA_DIR/migrations.log" 2>&1 ||
  { cat "$DATA_DIR/migrations.log" >&2; die "D1 migrations failed"; }

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

log "starting the render container on 127.0.0.1:$RENDER_PORT"
# It answers only callers with RENDER_SECRET; wrangler dev reads the same value from .dev.vars.
RENDER_SECRET=$(dev_var RENDER_SECRET) PORT=$RENDER_PORT HOST=127.0.0.1 \
  setsid node render-container/src/server.ts >"$DATA_DIR/render.log" 2>&1 &
pids+=($!)

log "starting the worker (wrangler dev) on 127.0.0.1:$PORT"
# wrangler dev's local trace store (X_LOCAL_OBSERVABILITY, on by default) writes every request's
# trace into SQLite with an fsync, on the one thread that also serves the app, its Durable Objects,
# D1 and R2: about 1.2 fsyncs and 22 writes per status poll, and the tail of every poll while a
# render fills the disk (docs/architecture.md, "Status from memory"). Our own JSON log lines
# already say what each request did, so it stays off unless asked for.
export X_LOCAL_OBSERVABILITY=${X_LOCAL_OBSERVABILITY:-false}
# RENDER_URL is passed per run (not written to .dev.vars) so two instances can run side by side.
# Locally the cron sweep runs when asked: `curl http://127.0.0.1:$PORT/cdn-cgi/handler/scheduled`.
setsid wrangler dev --port "$PORT" --ip 127.0.0.1 --persist-to "$DATA_DIR/wrangler" \
  --var "RENDER_URL:http://127.0.0.1:$RENDER_PORT" \
  --log-level "${WRANGLER_LOG:-log}" >"$DATA_DIR/worker.log" 2>&1 </dev/null &
pids+=($!)

if ! wait_for_http "http://127.0.0.1:$PORT/api/health" 120 "${pids[1]}"; then
  echo "--- render.log" >&2; tail -n 30 "$DATA_DIR/render.log" >&2
  echo "--- worker.log" >&2; tail -n 30 "$DATA_DIR/worker.log" >&2
  die "the app did not become healthy"
fi
log "ready: open http://127.0.0.1:$PORT   (logs in $DATA_DIR/*.log, Ctrl-C to stop)"
# Exit (and clean up) as soon as either process dies.
wait -n "${pids[@]}"
die "a process exited; see $DATA_DIR/render.log and $DATA_DIR/worker.log"
