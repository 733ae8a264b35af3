#!/usr/bin/env bash
# `npm run bench`: builds, makes sure a load generator exists, runs bench/run.ts.
#
#   npm run bench                      # table on stdout, bench/results.json
#   npm run bench -- --write-readme    # also refresh the table in README.md's Performance section
#   npm run bench -- --only slots      # slots | page | api | bookings | lighthouse (comma-separated)
#   npm run bench -- --strict          # exit 1 when a target fails
#
# Load generator: wrk (Debian: apt-get install -y wrk); when it is missing and cannot be
# installed, autocannon from npm into bench/.tools (BENCH_LOADGEN=autocannon forces it).
# BENCH_SKIP_BUILD=1 uses whatever .deno-deploy/ holds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NO_COLOR=1 DENO_NO_UPDATE_CHECK=1

# npm packages (lighthouse among the devDependencies) and, for the Lighthouse part, Chromium.
need_lighthouse=1
prev=""
for a in "$@"; do
  if [[ $prev == --only && $a != *lighthouse* ]] || [[ $a == --only=* && $a != *lighthouse* ]]; then need_lighthouse=0; fi
  prev=$a
done
if ((need_lighthouse)); then bash scripts/ensure-deps.sh --with-system; else bash scripts/ensure-deps.sh; fi

# A load generator for the page and API benchmarks, and for the bookings' HTTP rows: without wrk
# those post from the bench's own process, which takes a share of the two cores (the row then
# names its load "this process, fetch").
need_loadgen=1
prev=""
for a in "$@"; do
  if [[ $prev == --only && $a != *page* && $a != *api* && $a != *bookings* ]] ||
    [[ $a == --only=* && $a != *page* && $a != *api* && $a != *bookings* ]]; then need_loadgen=0; fi
  prev=$a
done

if ((need_loadgen)) && [[ ${BENCH_LOADGEN:-} != autocannon ]] && ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  if [[ $(id -u) == 0 ]]; then
    (apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; }) || true
  else
    (sudo -n apt-get install -y wrk >/dev/null 2>&1) || true
  fi
fi
if ((need_loadgen)) && { [[ ${BENCH_LOADGEN:-} == autocannon ]] || ! command -v wrk >/dev/null; } &&
  [[ ! -x bench/.tools/node_modules/.bin/autocannon ]]; then
  echo "bench: wrk is not available; installing autocannon into bench/.tools" >&2
  mkdir -p bench/.tools
  npm install --prefix bench/.tools --no-audit --no-fund --no-save autocannon >/dev/null
fi

if [[ ${BENCH_SKIP_BUILD:-} != 1 ]]; then
  echo "bench: npm run build" >&2
  npm run --silent build >/dev/null
fi

exec node_modules/.bin/deno run -A bench/run.ts "$@"
