#!/usr/bin/env bash
# Shared set-up steps for start.sh and test.sh. Source it from the repository root.
# Everything here is idempotent: on a machine that has it all, it does nothing visible.

log() { printf '\033[36m[promptreel]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[promptreel]\033[0m %s\n' "$*" >&2; exit 1; }

# npm dependencies, including the pinned Node 22 binary (the `node` package) that npm scripts
# put first on PATH. Reinstalls when package-lock.json changed since the last install.
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [[ ! -x node_modules/.bin/node || ! -f $stamp || package-lock.json -nt $stamp ]]; then
    log "installing npm dependencies (npm install)"
    npm install --no-audit --no-fund --loglevel=error || die "npm install failed"
  fi
  export PATH="$PWD/node_modules/.bin:$PATH"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [[ $major -ge 22 ]] || die "expected Node >= 22 from node_modules/.bin/node, got $(node --version)"
}

# Local secrets and settings for `wrangler dev` (ignored by git). A fresh random JWT secret
# is generated once; delete .dev.vars to rotate it (which signs everyone out). RENDER_SECRET,
# the secret the Worker and the render container share, is added to an older .dev.vars too.
random_hex() { node -e 'console.log(require("node:crypto").randomBytes(32).toString("hex"))'; }
ensure_dev_vars() {
  if [[ ! -f .dev.vars ]]; then
    log "writing .dev.vars with generated development secrets"
    {
      echo "ENVIRONMENT=development"
      echo "JWT_SECRET=$(random_hex)"
      echo "RENDER_SECRET=$(random_hex)"
    } > .dev.vars
  fi
  if ! grep -q '^RENDER_SECRET=' .dev.vars; then
    log "adding a generated RENDER_SECRET to .dev.vars"
    [[ -z $(tail -c 1 .dev.vars) ]] || echo >> .dev.vars
    echo "RENDER_SECRET=$(random_hex)" >> .dev.vars
  fi
}

# The value of `name` in .dev.vars (empty when absent).
dev_var() { sed -n "s/^$1=//p" .dev.vars | tail -n 1; }

# Waits until `url` answers 200, or fails after `seconds`.
wait_for_http() {
  local url=$1 seconds=$2 pid=${3:-}
  local deadline=$((SECONDS + seconds))
  until node -e "fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$url" 2>/dev/null; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}
