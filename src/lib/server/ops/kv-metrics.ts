/**
 * Counts atomic commits by outcome (ok, conflict, error) without touching the code that commits:
 * the App's KV handle is wrapped once in buildApp. A conflict is a commit whose checks failed —
 * another writer got there first; the service that re-plans counts its retry (recordRetry).
 *
 * The wrappers sit under every read and write of the process, so they allocate nothing per call:
 * the handle's methods are bound once, and an operation is a plain class (a Proxy that made a
 * closure per `set` cost a booking burst ~8 % of its JavaScript time, issue 26).
 */
import { recordCommit } from "./metrics.ts";
import { commitPastLocks } from "../store/kv.ts";

type Fn = (...args: never[]) => unknown;

export function instrumentKv(kv: Deno.Kv): Deno.Kv {
  // Bound once per function, found by the function itself: a method replaced on the handle
  // later (as tests do) is the one called.
  const bound = new WeakMap<Fn, Fn>();
  const atomic = () => new CountedAtomic(kv.atomic());
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return atomic;
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      let fn = bound.get(value);
      if (!fn) bound.set(value, fn = value.bind(target));
      return fn;
    },
  });
}

/**
 * The operation with its commit counted. The inner operation is left untouched (other wrappers,
 * such as the tests' KV guard, may hold it); chained calls return this wrapper.
 */
class CountedAtomic implements Deno.AtomicOperation {
  /** Whether a write that was sent twice ends as once (`commitPastLocks`' `resendable`). */
  #checked = false;
  #adds = false;
  constructor(readonly inner: Deno.AtomicOperation) {}
  check(...checks: Deno.AtomicCheck[]): this {
    this.inner.check(...checks);
    if (checks.length > 0) this.#checked = true;
    return this;
  }
  mutate(...mutations: Deno.KvMutation[]): this {
    this.inner.mutate(...mutations);
    for (const m of mutations) if (m.type !== "set" && m.type !== "delete") this.#adds = true;
    return this;
  }
  sum(key: Deno.KvKey, n: bigint): this {
    this.inner.sum(key, n);
    this.#adds = true;
    return this;
  }
  min(key: Deno.KvKey, n: bigint): this {
    this.inner.min(key, n);
    this.#adds = true;
    return this;
  }
  max(key: Deno.KvKey, n: bigint): this {
    this.inner.max(key, n);
    this.#adds = true;
    return this;
  }
  set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }): this {
    this.inner.set(key, value, options);
    return this;
  }
  delete(key: Deno.KvKey): this {
    this.inner.delete(key);
    return this;
  }
  enqueue(
    value: unknown,
    options?: { delay?: number; keysIfUndelivered?: Deno.KvKey[]; backoffSchedule?: number[] },
  ): this {
    this.inner.enqueue(value, options);
    this.#adds = true;
    return this;
  }
  async commit(): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    try {
      const res = await commitPastLocks(this.inner, undefined, this.#checked || !this.#adds);
      recordCommit(res.ok ? "ok" : "conflict");
      return res;
    } catch (err) {
      recordCommit("error");
      throw err;
    }
  }
}
