/**
 * Opening Deno KV. The handle lives on globalThis because Vite's dev server re-imports
 * modules on every change, and a second handle on a local file would lock it.
 */
const HANDLE = Symbol.for("invito.kv");
type Holder = { [HANDLE]?: Promise<Deno.Kv> };

export function openKv(path: string): Promise<Deno.Kv> {
  const g = globalThis as Holder;
  g[HANDLE] ??= (async () => {
    if (!/^https?:\/\//.test(path) && path !== ":memory:") {
      const dir = path.replace(/[^/\\]*$/, "");
      if (dir) await Deno.mkdir(dir, { recursive: true });
    }
    return await Deno.openKv(path);
  })();
  return g[HANDLE]!;
}

/** The most checks one atomic operation may carry on remote KV (Deno Deploy, denokv). */
export const MAX_CHECKS = 10;

/**
 * Commit an atomic operation whose outcome may be unknown (a network error on remote KV):
 * `landed` re-reads to learn whether the write happened, instead of sending it again. A write
 * that did not land reports `ok: false`, like a failed check: the caller reads and decides anew
 * (safe when the write checks something it also changes, so a late landing fails the retry).
 */
export async function commitOrReread(
  op: Deno.AtomicOperation,
  landed: () => Promise<boolean>,
): Promise<{ ok: boolean }> {
  try {
    return { ok: (await op.commit()).ok };
  } catch (err) {
    // A TypeError from a bad operation is a bug, not an unknown outcome.
    if (err instanceof TypeError) throw err;
    return { ok: await landed() };
  }
}
