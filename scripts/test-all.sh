#!/usr/bin/env bash
# `npm test`: dependencies, build, every deno test in src/ and tests/, then one final line
#
#   N passed, N failed
#
# and nothing after it (the CI reads the last line). Exit status is non-zero when anything failed.
#
# Usage: scripts/test-all.sh [extra `deno test` args...]
#   Arguments go to `deno test` as they are (e.g. `--filter booking`, `--parallel`, `--fail-fast`).
#   When none of them is an existing file or directory, `src tests` are added as the paths.
#
# What counts (see tests/support/test-summary.ts): top-level Deno tests (`Deno.test`), the unit
# of Deno's own summary; `t.step`s are not counted separately, a failed step fails its test;
# ignored tests count neither way. A module that fails to load, a timed-out or crashed run, and a
# failed build each add 1 to "failed": a broken run never prints "0 failed". svelte-check and lint
# are separate commands (`npm run check`, `npm run lint`) and are not counted here.
#
# Environment:
#   INVITO_SKIP_BUILD=1      do not run `npm run build` (uses whatever .deno-deploy/ holds)
#   INVITO_SKIP_SYSTEM=1     do not check/install the Debian packages (chromium, radicale)
#   INVITO_TEST_SHARDS=N     how many `deno test` processes run at once (default 3; 1: one
#                            process; the files are dealt by their weight in
#                            tests/support/test-weights.json). The limit below applies to each
#   INVITO_TEST_GROUP=N      how many test files each `deno test` module loads (default 12; 1: one
#                            module per file, as `deno test` alone runs them; see below)
#   INVITO_TEST_TIMEOUT=N    seconds for each `deno test` shard (default 3000: the suite with
#                            its browser, validator and Lighthouse runs takes 20-30 min per shard
#                            on the slower 2-core box CI may get, and one run there passed the
#                            old 1800; with install and build that is still inside the CI job's
#                            own limit of 90 min, so a hung run ends with its summary line); then
#                            it is terminated (SIGTERM, SIGKILL 15 s later), counted as a failure
#   INVITO_TEST_JUNIT_DIR=D  keep each shard's JUnit report (every test's time) as D/junit-N.xml
#   INVITO_TEST_DATA_DIR=D   where the tests' servers keep their stores (default: a folder in
#                            /dev/shm when it has 4 GiB free, else the temporary folder)
#
# Cleanup: deno test runs in its own process group under `timeout`; every process the run starts
# inherits INVITO_TEST_RUN_ID, and whatever is still alive with this id after the run (or on
# Ctrl-C) is killed, so no server, Radicale or Chromium outlives the run.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NO_COLOR=1
export DENO_NO_UPDATE_CHECK=1
DENO=node_modules/.bin/deno

tmp=$(mktemp -d "${TMPDIR:-/tmp}/invito-test.XXXXXX")
# The tests' stores live in memory when the machine has room there (tests/support/data-dir.ts):
# a KV commit on the disk waits for its fsync, and the suite commits a great deal (measured on
# the slower box: 4-8 % less time for HTTP and history files). Durability is the kill -9 tests'
# subject, and a process crash leaves a store in memory as it leaves one on disk.
# INVITO_TEST_DATA_DIR=DIR puts them elsewhere (DIR must exist).
shm_free_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
stores=""
if [[ -z ${INVITO_TEST_DATA_DIR:-} && -d /dev/shm && -w /dev/shm ]] &&
  ((${shm_free_kb:-0} > 4 * 1024 * 1024)); then
  stores=$(mktemp -d /dev/shm/invito-test-stores.XXXXXX) && export INVITO_TEST_DATA_DIR=$stores
fi
run_id="invito-test-$$-$RANDOM$RANDOM"
test_pid=""
tail_pid=""

# Kills every process that carries this run's id (only processes this run started have it).
kill_leftovers() {
  local quiet=${1:-}
  local pids=() p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" ]] && continue
    if grep -qzxF "INVITO_TEST_RUN_ID=$run_id" "/proc/$p/environ" 2>/dev/null; then
      pids+=("$p")
    fi
  done
  if ((${#pids[@]})); then
    [[ -z $quiet ]] && echo "test-all: killing ${#pids[@]} process(es) left behind by the tests: ${pids[*]}" >&2
    kill -KILL "${pids[@]}" 2>/dev/null
  fi
  return 0
}

cleanup() {
  trap - EXIT INT TERM
  local p
  for p in $test_pid; do
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
    fi
  done
  kill_leftovers quiet
  [[ -n $tail_pid ]] && kill "$tail_pid" 2>/dev/null
  rm -rf "$tmp"
  if [[ -n $stores ]]; then rm -rf "$stores"; fi
}
trap cleanup EXIT
trap 'echo "test-all: interrupted" >&2; exit 130' INT TERM

# Prints the final line for a run that could not start the tests, then exits.
fail_early() {
  echo "test-all: $1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

# --- 1. dependencies -------------------------------------------------------------------------------
if [[ ${INVITO_SKIP_SYSTEM:-} == 1 ]]; then
  bash scripts/ensure-deps.sh || fail_early "scripts/ensure-deps.sh failed"
else
  bash scripts/ensure-deps.sh --with-system || fail_early "scripts/ensure-deps.sh --with-system failed"
fi

# --- 2. build -------------------------------------------------------------------------------------
build_failed=0
if [[ ${INVITO_SKIP_BUILD:-} == 1 ]]; then
  echo "test-all: INVITO_SKIP_BUILD=1, not building" >&2
else
  echo "test-all: npm run build" >&2
  if ! npm run --silent build; then
    build_failed=1
    echo "test-all: BUILD FAILED; running the tests anyway, the build counts as 1 failure" >&2
  fi
fi

# --- 3. deno test ---------------------------------------------------------------------------------
# The whole suite runs as three `deno test` processes at once (shards). Much of a browser test's
# time is waiting (Chromium, servers, mail), so they overlap well even on a 2-core box; the run
# is CPU-bound, and lasts as long as its longest shard. INVITO_TEST_SHARDS=1 runs one process;
# given paths always run as one. Measured on the slower box (2026-11-28): two shards 26.2/28.1
# min with the cores ~12 % idle; three split by directory 23.3/21.0/25.2 min. On 2026-11-29: two
# shards 23.8/24.2 and 25.7/25.9 min, three 22.6/21.9/23.1, 20.8/20.2/21.0 and 19.4/19.7/20.1
# min, so three are the default. The files are dealt by weight (tests/support/test-shards.ts:
# each file's time in a fresh-clone run, heaviest first to the shard with the least): split by
# directory, the shards of one run ended minutes apart (24.9/21.8/26.0 min, 2026-12-01). Every
# file that starts a cluster of server processes runs in the last shard, one after another: two
# clusters at once on 2 cores starved each other past their seconds-long holds and leases.
args=("$@")
has_path=0
for a in "${args[@]}"; do [[ -e $a ]] && has_path=1; done
# Each shard's paths, one per line (the arguments go to every shard as they are).
# Which files are tests, and which shard runs each, is decided in one place (test-shards.ts, which
# finds them as `deno test` does: {*_,*.,}test.{ts,tsx,mts,js,mjs,jsx} under src/ and tests/).
shards=()
nshards=${INVITO_TEST_SHARDS:-3}
((nshards < 1)) && nshards=1
if ((has_path)); then
  shards=("")
else
  for ((i = 0; i < nshards; i++)); do shards+=(""); done
  dealt=$("$DENO" run --no-check --allow-read tests/support/test-shards.ts --shards "$nshards") ||
    fail_early "tests/support/test-shards.ts could not deal the test files"
  while IFS=$'\t' read -r i f; do
    shards[i]+="$f"$'\n'
  done <<<"$dealt"
fi

# Each shard's files are loaded a dozen at a time into one `deno test` module (a group,
# tests/support/test-group.ts): Deno starts a worker for every module, and on the suite's
# virtualised boxes a worker cost ~0.3 s of CPU before its file's first import and each file loaded
# its own imports again (the browser files' 151 modules: 96.8 CPU-s to load against 1.4 as one).
# Deno still names each test's own file in its report and JUnit suites; a file that fails to load
# fails as a test of its own. INVITO_TEST_GROUP=N puts N files in a group (1: a module each, as
# `deno test` alone runs them). Given paths always run as they are.
group_size=${INVITO_TEST_GROUP:-12}
groups_in=()
if ((!has_path && group_size > 1)); then
  mkdir -p "$tmp/groups"
  for i in "${!shards[@]}"; do
    files=()
    [[ -n ${shards[$i]} ]] && mapfile -t files < <(printf '%s' "${shards[$i]}")
    groups_in[i]=${#files[@]}
    # A group holds one directory's files (src, tests/e2e, tests/integration, …): the browser
    # files share one Chromium per module (borrowBrowser in tests/support/browser.ts), which
    # stays open until the module's last test, and the other directories' tests run with Deno's
    # sanitizers on.
    out="" list="" count=0 n=0 key=""
    for f in "${files[@]}" ""; do
      case $f in
        tests/*) d=${f#tests/} && k=tests/${d%%/*} ;;
        *) k=${f%%/*} ;;
      esac
      if ((count > 0)) && [[ -z $f || $k != "$key" ]] || ((count == group_size)); then
        g=$(printf '%s/groups/shard%d-%03d.test.ts' "$tmp" "$i" "$n")
        printf 'import { loadGroup } from "%s/tests/support/test-group.ts";\nawait loadGroup([\n%s]);\n' \
          "$PWD" "$list" >"$g"
        out+="$g"$'\n' list="" count=0 n=$((n + 1))
      fi
      [[ -z $f ]] && break
      key=$k
      f=${f//\\/\\\\}
      list+="  \"$PWD/${f//\"/\\\"}\","$'\n' count=$((count + 1))
    done
    shards[i]=$out
  done
fi

pids=()
summary_args=()
for i in "${!shards[@]}"; do
  log="$tmp/deno-$i.log"
  junit="$tmp/junit-$i.xml"
  : >"$log"
  paths=()
  [[ -n ${shards[$i]} ]] && mapfile -t paths < <(printf '%s' "${shards[$i]}")
  if [[ -n ${groups_in[i]:-} ]]; then
    echo "test-all: shard $i: deno test -A --no-check ${args[*]} (${groups_in[i]} files in ${#paths[@]} groups of up to $group_size)" >&2
  elif ((${#paths[@]} > 8)); then
    echo "test-all: shard $i: deno test -A --no-check ${args[*]} (${#paths[@]} files: ${paths[0]} … ${paths[-1]})" >&2
  else
    echo "test-all: deno test -A --no-check ${args[*]} ${paths[*]}" >&2
  fi
  env INVITO_TEST_RUN_ID="$run_id" setsid timeout -k 15 "${INVITO_TEST_TIMEOUT:-3000}" \
    "$DENO" test -A --no-check --permit-no-files --junit-path="$junit" "${args[@]}" "${paths[@]}" \
    >"$log" 2>&1 </dev/null &
  pids+=($!)
done
test_pid="${pids[*]}"
# The first shard's output live; the others' after it (whole, not interleaved line by line).
tail -n +1 -s 0.2 -f --pid="${pids[0]}" "$tmp/deno-0.log" &
tail_pid=$!

deno_rc=0
for i in "${!pids[@]}"; do
  rc=0
  wait "${pids[$i]}" || rc=$?
  summary_args+=(--log "$tmp/deno-$i.log" --junit "$tmp/junit-$i.xml" --exit "$rc")
  ((rc != 0)) && deno_rc=$rc
done
test_pid=""
kill_leftovers
wait "$tail_pid" 2>/dev/null
tail_pid=""
for ((i = 1; i < ${#pids[@]}; i++)); do cat "$tmp/deno-$i.log"; done
if [[ -n ${INVITO_TEST_JUNIT_DIR:-} ]]; then
  mkdir -p "$INVITO_TEST_JUNIT_DIR" && cp "$tmp"/junit-*.xml "$INVITO_TEST_JUNIT_DIR"/ 2>/dev/null
fi

# --- 4. summary (its last line is the last line of this script's output) -----------------------
"$DENO" run --no-check --allow-read tests/support/test-summary.ts "${summary_args[@]}" \
  --extra-failed "$build_failed" --extra-reason "npm run build failed"
summary_rc=$?
((summary_rc == 0 && deno_rc == 0 && build_failed == 0))
exit $?
