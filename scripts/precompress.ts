/**
 * Build step after `vite build`: writes brotli (quality 11) and gzip (level 9) copies beside every
 * compressible static file in .deno-deploy/static, so the server never compresses an asset per
 * request (src/lib/server/http/static-files.ts picks the copy by Accept-Encoding). A copy that
 * saves less than 5 % is not written.
 *
 *   deno run -A scripts/precompress.ts [DIR]     (default .deno-deploy/static)
 */
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { COMPRESSIBLE_EXTENSIONS } from "../src/lib/server/http/static-files.ts";

const dir = Deno.args[0] ?? join(import.meta.dirname!, "..", ".deno-deploy", "static");

async function* walk(d: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(d)) {
    const p = join(d, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (e.isFile) yield p;
  }
}

let files = 0, before = 0, afterBr = 0;
for await (const path of walk(dir)) {
  const ext = path.slice(path.lastIndexOf(".")).toLowerCase();
  if (!COMPRESSIBLE_EXTENSIONS.has(ext)) continue;
  const raw = await Deno.readFile(path);
  if (raw.length < 256) continue;
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = gzipSync(raw, { level: 9 });
  if (br.length < raw.length * 0.95) await Deno.writeFile(`${path}.br`, br);
  if (gz.length < raw.length * 0.95) await Deno.writeFile(`${path}.gz`, gz);
  files++;
  before += raw.length;
  afterBr += Math.min(br.length, raw.length);
}
console.error(
  `precompress: ${files} files, ${(before / 1024).toFixed(0)} KiB → ${
    (afterBr / 1024).toFixed(0)
  } KiB with brotli`,
);
