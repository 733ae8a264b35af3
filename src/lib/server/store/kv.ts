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
 * Commit an atomic operation whose outcome may be unknown (a network error on remote KV).
 * `confirm` re-reads to learn whether the write landed, instead of blindly retrying it.
 */
export async function commitOrReread(
  op: Deno.AtomicOperation,
  confirm: () => Promise<boolean>,
): Promise<{ ok: boolean; versionstamp?: string }> {
  try {
    const res = await op.commit();
    return res.ok ? { ok: true, versionstamp: res.versionstamp } : { ok: false };
  } catch (err) {
    // A TypeError from a bad operation is a bug, not an unknown outcome.
    if (err instanceof TypeError) throw err;
    if (await confirm()) return { ok: true };
    throw err;
  }
}
