#!/usr/bin/env bash
# Make sure the dependencies Invito needs are present. Idempotent and quick when nothing is missing.
#
#   scripts/ensure-deps.sh                 npm packages only
#   scripts/ensure-deps.sh --with-system   also the Debian packages the tests use (chromium and its
#                                          headless shell, radicale, a Java 17 runtime for the Nu Html
#                                          Checker, Node for Lighthouse)
#
# npm: `npm install --no-audit --no-fund` runs only when node_modules is missing or package.json /
# package-lock.json is newer than node_modules/.package-lock.json (npm's own record of the installed
# tree). Never `npm ci`: the lock made against this registry lacks other platforms' optional
# binaries and `npm ci` calls it out of sync (STACK-NOTES pitfall 1).
#
# Debian: `apt-get update` (once) and `apt-get install` of chromium, chromium-headless-shell,
# radicale, openjdk-17-jre-headless, nodejs only for what is missing (/usr/bin/chromium,
# /usr/bin/chromium-headless-shell, the `radicale`, `java` or `node` command). Waits for another
# apt/dpkg run to release its lock instead of failing. Uses sudo only when not root and sudo exists.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

with_system=0
for arg in "$@"; do
  case "$arg" in
    --with-system) with_system=1 ;;
    -h | --help)
      sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "ensure-deps: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

log() { echo "ensure-deps: $*" >&2; }

# --- npm ------------------------------------------------------------------------------------------
npm_needed=0
marker=node_modules/.package-lock.json
if [[ ! -d node_modules || ! -f "$marker" || ! -x node_modules/.bin/deno ]]; then
  npm_needed=1
elif [[ package.json -nt "$marker" ]] || [[ -f package-lock.json && package-lock.json -nt "$marker" ]]; then
  npm_needed=1
fi
if [[ $npm_needed == 1 ]]; then
  log "installing npm packages (npm install --no-audit --no-fund)"
  npm install --no-audit --no-fund >&2
  # npm may leave the marker untouched when the tree was already right, and it may rewrite
  # package-lock.json after the marker: touch it so the next run is the fast path.
  if [[ -f $marker ]]; then touch "$marker"; fi
fi

# --- Debian packages ------------------------------------------------------------------------------
if [[ $with_system == 1 ]]; then
  missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # the browser the e2e tests drive (tests/support/browser.ts, ADR 064); Lighthouse runs the above
  [[ -x /usr/bin/chromium-headless-shell ]] || missing+=(chromium-headless-shell)
  command -v radicale >/dev/null 2>&1 || missing+=(radicale)
  # an independent .ics parser for the calendar tests (tests/support/apply-ics.py)
  /usr/bin/python3 -c "import icalendar" >/dev/null 2>&1 || missing+=(python3-icalendar)
  # tests/e2e/html-validity.e2e.test.ts runs npm vnu-jar with it
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  # tests/e2e/lighthouse.e2e.test.ts runs npm lighthouse with it
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  if ((${#missing[@]})); then
    as_root=()
    if [[ $(id -u) != 0 ]]; then
      if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
      else
        log "need root (or sudo) to install: ${missing[*]}"
        exit 1
      fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    # wait (up to 10 min) for a concurrent apt/dpkg run instead of failing on its lock
    lock_wait=(-o DPkg::Lock::Timeout=600)
    log "installing Debian packages: ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${lock_wait[@]}" update -q >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${lock_wait[@]}" install -y -q "${missing[@]}" >&2
  fi
fi
