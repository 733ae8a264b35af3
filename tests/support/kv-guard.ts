/**
 * Remote-KV readiness: a Deno.Kv that refuses what a local SQLite KV allows but Deno Deploy KV
 * and denokv (KV Connect) do not, so a test fails the day the code starts to rely on it:
 *
 * - an atomic operation with more than 10 checks, or more than 1,000 mutations;
 * - queues (`kv.enqueue`, `kv.listenQueue`, `atomic().enqueue`): not every backend we target has
 *   them (docs/decisions/004-outbox.md).
 *
 * ```ts
 * const kv = guardKv(await Deno.openKv(":memory:"));
 * await kv.atomic().check(...elevenEntries).commit(); // rejects with KvGuardError
 * ```
 *
 * A Proxy, not a copy: every other method goes to the real handle (bound to it, because Deno.Kv
 * keeps its state in private fields). `memoryApp()` wraps its KV with this by default.
 */

/** The limits of Deno Deploy KV / denokv for one atomic operation. */
export const REMOTE_KV_LIMITS = { maxChecks: 10, maxMutations: 1_000 } as const;

export class KvGuardError extends Error {
  constructor(message: string) {
    super(`kv-guard: ${message}`);
    this.name = "KvGuardError";
  }
}

const RAW = Symbol("kv-guard.raw");

export type GuardLimits = { maxChecks: number; maxMutations: number };

/** What the guard has seen, for tests that want to assert on it (e.g. the largest operation). */
export type GuardStats = { commits: number; maxChecks: number; maxMutations: number };

const statsOf = new WeakMap<object, GuardStats>();

/** The guarded handle (`kv` itself if it is already guarded). */
export function guardKv(kv: Deno.Kv, limits: GuardLimits = REMOTE_KV_LIMITS): Deno.Kv {
  if (isGuarded(kv)) return kv;
  const stats: GuardStats = { commits: 0, maxChecks: 0, maxMutations: 0 };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      if (prop === RAW) return target;
      if (prop === "atomic") return () => guardAtomic(target.atomic(), limits, stats);
      if (prop === "enqueue") {
        return () => {
          throw new KvGuardError("kv.enqueue is not available on every KV backend; use the outbox");
        };
      }
      if (prop === "listenQueue") {
        return () => {
          throw new KvGuardError(
            "kv.listenQueue is not available on every KV backend; use the outbox",
          );
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  statsOf.set(proxy, stats);
  return proxy;
}

export function isGuarded(kv: Deno.Kv): boolean {
  return (kv as unknown as Record<symbol, unknown>)[RAW] !== undefined;
}

/** The real handle under a guard (or `kv` itself). */
export function unguarded(kv: Deno.Kv): Deno.Kv {
  return ((kv as unknown as Record<symbol, unknown>)[RAW] as Deno.Kv | undefined) ?? kv;
}

export function guardStats(kv: Deno.Kv): GuardStats | null {
  return statsOf.get(kv) ?? null;
}

const COUNTED: Record<string, "check" | "mutation"> = {
  check: "check",
  set: "mutation",
  delete: "mutation",
  sum: "mutation",
  min: "mutation",
  max: "mutation",
  mutate: "mutation",
};

function guardAtomic(
  op: Deno.AtomicOperation,
  limits: GuardLimits,
  stats: GuardStats,
): Deno.AtomicOperation {
  let checks = 0;
  let mutations = 0;
  const proxy: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      if (prop === "enqueue") {
        return () => {
          throw new KvGuardError(
            "atomic().enqueue is not available on every KV backend; use the outbox",
          );
        };
      }
      if (prop === "commit") {
        return () => {
          stats.commits++;
          stats.maxChecks = Math.max(stats.maxChecks, checks);
          stats.maxMutations = Math.max(stats.maxMutations, mutations);
          if (checks > limits.maxChecks) {
            return Promise.reject(
              new KvGuardError(
                `atomic operation with ${checks} checks (remote KV allows ${limits.maxChecks})`,
              ),
            );
          }
          if (mutations > limits.maxMutations) {
            return Promise.reject(
              new KvGuardError(
                `atomic operation with ${mutations} mutations (remote KV allows ${limits.maxMutations})`,
              ),
            );
          }
          return target.commit();
        };
      }
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const kind = typeof prop === "string" ? COUNTED[prop] : undefined;
      return (...args: unknown[]) => {
        // check(...entries) and mutate(...mutations) take many at once; the others one each.
        const n = prop === "check" || prop === "mutate" ? args.length : 1;
        if (kind === "check") checks += n;
        else if (kind === "mutation") mutations += n;
        const out = value.apply(target, args);
        return out === target ? proxy : out;
      };
    },
  });
  return proxy;
}
