/**
 * Counts atomic commits by outcome (ok, conflict, error) without touching the code that commits:
 * the App's KV handle is wrapped once in buildApp. A conflict is a commit whose checks failed —
 * another writer got there first; the service that re-plans counts its retry (recordRetry).
 */
import { recordCommit } from "./metrics.ts";

export function instrumentKv(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") return () => countCommits(target.atomic());
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A view of the operation whose commit is counted. The operation itself is left untouched (other
 * wrappers, such as the tests' KV guard, may hold it); chained calls return the view.
 */
function countCommits(op: Deno.AtomicOperation): Deno.AtomicOperation {
  const view: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      if (prop === "commit") {
        return async () => {
          try {
            const res = await target.commit();
            recordCommit(res.ok ? "ok" : "conflict");
            return res;
          } catch (err) {
            recordCommit("error");
            throw err;
          }
        };
      }
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const out = value.apply(target, args);
        return out === target ? view : out;
      };
    },
  });
  return view;
}
