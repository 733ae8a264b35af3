#!/usr/bin/env bash
# `npm start` / `npm run demo`: build when needed, then run the server in the foreground.
#
#   scripts/start.sh [--demo] [args for server.ts...]
#
# --demo sets INVITO_DEMO=1 (the server seeds a demo host) and is passed on to server.ts too.
# Everything else is the server's own defaults and INVITO_* env (listen on :8080, data in ./data).
#
# Build policy: rebuild only when .deno-deploy/server/manifest.js is missing or older than any
# input (src/, static/, svelte.config.js, vite.config.ts, tailwind.config.js, package.json,
# package-lock.json). A build costs 30-40 s on two cores and a restart of a deployed instance should not pay it
# nor fail on a build problem when the sources have not changed. INVITO_FORCE_BUILD=1 always builds.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-deps.sh

marker=.deno-deploy/server/manifest.js
inputs=(src static svelte.config.js vite.config.ts tailwind.config.js package.json package-lock.json)
existing=()
for f in "${inputs[@]}"; do [[ -e $f ]] && existing+=("$f"); done

needs_build=0
if [[ ${INVITO_FORCE_BUILD:-} == 1 || ! -f $marker ]]; then
  needs_build=1
elif [[ -n $(find "${existing[@]}" -newer "$marker" -print -quit 2>/dev/null) ]]; then
  needs_build=1
fi
if [[ $needs_build == 1 ]]; then
  echo "start: building (npm run build)" >&2
  npm run --silent build >&2
fi

mkdir -p data

for arg in "$@"; do
  [[ $arg == --demo ]] && export INVITO_DEMO=1
done

# V8's young generation capped at 4 MB per semi-space: after a burst of page views the RSS is
# ~35 MB below V8's own 16 MB (ADR 049) and the same as at 2 MB, while booking posts run fewer
# scavenges than at 2 MB (ADR 053's addendum of 2026-12-03). No code cache: 4-5 MB less while the server is
# not busy, for ~70 ms more at start (ADR 053). The same flags as the Dockerfile's CMD.
exec node_modules/.bin/deno run --v8-flags=--max-semi-space-size=4 --no-code-cache -A server.ts "$@"
