#!/usr/bin/env bash
# `npm run screenshots`: the test files that take screenshots, run with them on, so a person can
# look at every page they visit (desktop and phone, light and dark, the languages) in
# test-results/screenshots/. A plain `npm test` runs the same checks without saving them.
# Arguments go on to scripts/test-all.sh (e.g. `--filter pseudo`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(grep -rlE --include='*.test.ts' '\b(screenshot|shootAll)\(' tests | sort)
export INVITO_SCREENSHOTS=1
exec bash scripts/test-all.sh "$@" "${files[@]}"
