#!/usr/bin/env bash
# The one definition of what a production install contains. The Dockerfile's build stage runs it
# and its runtime stage copies OUT whole; tests/ops/docker-runtime.test.ts runs it the same way
# and boots the result with the Dockerfile's own CMD, so the two cannot drift apart.
#
#   scripts/assemble-runtime.sh OUT      (after `npm run build`, from a tree with node_modules)
#
# OUT gets: the build (.deno-deploy, precompressed), server.ts and the server modules it imports
# at start with the message catalogs, deno.json (unstable flags), the production node_modules only, and the Deno binary as
# bin/deno. Development packages (vite, typescript, playwright, lighthouse, …) are pruned:
# `npm prune --omit=dev --omit=peer` with a package.json that has no devDependencies, because npm
# otherwise keeps a dev package that a production package names as a peer (vite via @sveltejs/kit).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:?usage: scripts/assemble-runtime.sh OUT}
if [[ -e $out && -n $(ls -A "$out" 2>/dev/null) ]]; then
  echo "assemble-runtime: $out exists and is not empty" >&2
  exit 1
fi
if [[ ! -f .deno-deploy/server/manifest.js ]]; then
  echo "assemble-runtime: no build in .deno-deploy (run npm run build first)" >&2
  exit 1
fi
mkdir -p "$out/bin" "$out/src/lib"

# What the runtime reads. Keep this list the only one (the Docker test checks the result).
cp -a .deno-deploy server.ts deno.json package.json package-lock.json "$out/"
# The operator's commands (backup, restore) run beside the server: /app/bin/deno run -A scripts/backup.ts
mkdir -p "$out/scripts"
for f in scripts/*.ts; do [[ -e $f ]] && cp -a "$f" "$out/scripts/"; done
# server.ts and the ops scripts import server modules by path (the early 413/408/429 answers read
# the message catalogs); the SvelteKit build has its own copy.
cp -a src/lib/server src/lib/shared src/lib/messages "$out/src/lib/"
find "$out/src" -name '*.test.ts' -delete

# node_modules: hard-linked when OUT is on the same file system (npm prune only unlinks, and
# nothing at run time may write there), else copied; then pruned to what production imports.
cp -al node_modules "$out/node_modules" 2>/dev/null || {
  rm -rf "$out/node_modules"
  cp -a node_modules "$out/node_modules"
}
(
  cd "$out"
  node -e '
    const fs = require("fs");
    const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
    delete p.devDependencies;
    fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");
  '
  npm prune --omit=dev --omit=peer --no-audit --no-fund --loglevel=error >&2
  # One real copy of the Deno binary; the npm wrapper packages are not needed at run time.
  cp node_modules/deno/deno bin/deno
  rm -rf node_modules/deno node_modules/@deno/linux-* node_modules/@deno/darwin-* \
    node_modules/@deno/win32-* node_modules/.bin
  find node_modules -mindepth 1 -type d -empty -delete
  rm -f package-lock.json
)
echo "assemble-runtime: $(du -sh "$out" | cut -f1) in $out" >&2
