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

function countCommits(op: Deno.AtomicOperation): Deno.AtomicOperation {
  const commit = op.commit.bind(op);
  op.commit = async () => {
    try {
      const res = await commit();
      recordCommit(res.ok ? "ok" : "conflict");
      return res;
    } catch (err) {
      recordCommit("error");
      throw err;
    }
  };
  return op;
}
