/**
 * Races that happen every time. Two "processes" on one in-memory KV (two Apps, one thread) only
 * race when one's read lands between the other's read and its commit, and whether it does
 * depends on how their awaits happen to interleave: a race test could pass with the check that
 * guards the race removed (7 of 10 did, 2026-11-27). Through this handle every commit first
 * waits until the store is quiet — no read under way and none started for a whole macrotask
 * turn — so every request racing it has read what it reads before any of them commits, the
 * worst interleaving real processes can have. Checks then decide, as they must.
 *
 * ```ts
 * const kv = contendedKv(await Deno.openKv(":memory:"));
 * const a = await memoryApp({ kv }), b = await memoryApp({ kv });
 * ```
 *
 * A Proxy, not a copy (as `guardKv`): one handle shared by both Apps, so both share the wait.
 */

/** Turns a commit waits at most for reads to settle (a loop that never stops reading). */
const MAX_TURNS = 500;
/**
 * Quiet turns in a row that count as settled: a request between two reads may be waiting on
 * something else for a turn or two (a signature checked by WebCrypto, a timer of zero).
 */
const QUIET_TURNS = 3;

export function contendedKv(kv: Deno.Kv): Deno.Kv {
  let started = 0;
  let pending = 0;
  const track = <T>(p: Promise<T>): Promise<T> => {
    started++;
    pending++;
    return p.finally(() => pending--);
  };
  // Quiet: no read under way, and none started for a whole turn. Every request racing this
  // commit has then read all it reads before its own commit (where it waits too) or is done.
  const settled = async () => {
    let quiet = 0;
    for (let turn = 0; turn < MAX_TURNS && quiet < QUIET_TURNS; turn++) {
      const seen = started;
      await new Promise((resolve) => setTimeout(resolve, 0));
      quiet = pending === 0 && started === seen ? quiet + 1 : 0;
    }
  };
  // A request's retry is not held back again. Held at every try, a request lost to every fresh
  // crowd of first tries on the same fence (one commit lands per quiet round) and ran out of
  // tries ("busy") now and then. A retry is known by a key written by no other request (its
  // booking's own record) that a failed commit wrote.
  const writes = new Map<string, number>();
  const lost = new Set<string>();
  const commits: Commits = {
    async commit(keys, run) {
      const retry = keys.some((k) => lost.has(k));
      if (!retry) await settled();
      const res = await run();
      for (const k of keys) writes.set(k, (writes.get(k) ?? 0) + 1);
      if (!res.ok) { for (const k of keys) if (writes.get(k) === 1) lost.add(k); }
      return res;
    },
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return () => contendedAtomic(target.atomic(), commits);
      if (prop === "get" || prop === "getMany") {
        const read = Reflect.get(target, prop, target) as (...a: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => track(read.apply(target, args));
      }
      if (prop === "list") {
        return (...args: Parameters<Deno.Kv["list"]>) => {
          const it = target.list(...args);
          const next = it.next.bind(it);
          it.next = () => track(next());
          return it;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

type Commits = {
  commit(
    keys: string[],
    run: () => Promise<Deno.KvCommitResult | Deno.KvCommitError>,
  ): Promise<Deno.KvCommitResult | Deno.KvCommitError>;
};

function contendedAtomic(op: Deno.AtomicOperation, commits: Commits): Deno.AtomicOperation {
  const keys: string[] = [];
  const proxy: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      if (prop === "commit") return () => commits.commit(keys, () => target.commit());
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        // The keys this write sets or deletes (sum/min/max: their first argument too).
        if (
          prop === "set" || prop === "delete" || prop === "sum" || prop === "min" || prop === "max"
        ) {
          keys.push(JSON.stringify(args[0], (_, v) => typeof v === "bigint" ? `${v}n` : v));
        }
        const out = value.apply(target, args);
        return out === target ? proxy : out;
      };
    },
  });
  return proxy;
}
