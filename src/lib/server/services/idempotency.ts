/**
 * Idempotency-Key for requests that change state (IETF draft "The Idempotency-Key HTTP Header
 * Field"). The same key with the same request replays the first answer (status and body); with a
 * different request it is refused; while the first still runs, a second is refused. The change
 * itself commits an `idempotency_commit` record in its own atomic write, checked absent, so even
 * a request that outlived its claim, or a crash between the change and storing its answer, never
 * makes the change twice: the answer is then rebuilt from what was committed.
 */
import type { App } from "../app.ts";
import type { ExtraWrite } from "../domain/booking-engine.ts";
import type { IdempotencyCommitRecord, IdempotencyRecord } from "../store/records.ts";
import {
  abandonRun,
  finishRun,
  IDEMPOTENCY_TTL_MS,
  readIdempotency,
  startRun,
} from "../store/idempotency.ts";
import { keys } from "../store/keys.ts";
import { sha256Hex } from "../integrations/crypto.ts";

/** How long a run holds its key before another request may take over (it died). */
const RUN_CLAIM_MS = 60_000;
/** Answers larger than this are not kept verbatim (KV values stay under 64 KiB); rebuilt instead. */
const MAX_KEPT_BODY = 48_000;
export const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

export type Answer = { status: number; body: unknown };
export type CommitTarget = IdempotencyCommitRecord["target"];

export type IdempotentOutcome =
  | { ok: true; answer: Answer; replayed: boolean }
  | { ok: false; reason: "idempotency_key_reused" | "idempotency_in_progress" };

/** JSON with object keys sorted, so the same body sent with other spacing or order matches. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value).sort().map((k) =>
      `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`
    );
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export async function requestFingerprint(method: string, path: string, body: unknown) {
  return await sha256Hex(`${method} ${path}\n${canonicalJson(body ?? null)}`);
}

export async function runIdempotent(
  app: App,
  opts: { scope: string; key: string; fingerprint: string },
  /**
   * Makes the change; `extraFor(target)` goes into its commit. `keep: false` frees the key;
   * `duplicate` says the commit found this key's change already made (then it is recovered).
   */
  run: (
    extraFor: (target: CommitTarget) => ExtraWrite[],
  ) => Promise<{ answer: Answer; keep: boolean } | { duplicate: true }>,
  /** The answer for a change that committed but whose answer was never stored. */
  recover: (commit: IdempotencyCommitRecord) => Promise<Answer>,
): Promise<IdempotentOutcome> {
  const { scope, key, fingerprint } = opts;
  for (let attempt = 0; attempt < 3; attempt++) {
    const nowMs = app.now();
    const [run0, commit] = await readIdempotency(app.kv, scope, key);
    const rec = run0.value && nowMs - run0.value.createdAtMs < IDEMPOTENCY_TTL_MS
      ? run0.value
      : null;
    if (rec && rec.fingerprint !== fingerprint) {
      return { ok: false, reason: "idempotency_key_reused" };
    }
    if (rec?.state === "done" && rec.body !== undefined) {
      return { ok: true, answer: { status: rec.status!, body: rec.body }, replayed: true };
    }
    if (rec?.state === "running" && rec.untilMs > nowMs) {
      return { ok: false, reason: "idempotency_in_progress" };
    }
    if (commit.value) {
      if (commit.value.fingerprint !== fingerprint) {
        return { ok: false, reason: "idempotency_key_reused" };
      }
      const answer = await recover(commit.value);
      await keep(app, scope, key, fingerprint, answer, nowMs);
      return { ok: true, answer, replayed: true };
    }
    const claimed = await startRun(app.kv, run0, {
      v: 1,
      fingerprint,
      state: "running",
      untilMs: nowMs + RUN_CLAIM_MS,
      createdAtMs: rec?.createdAtMs ?? nowMs,
    });
    if (!claimed) continue; // another request claimed it first: read what it wrote
    const extraFor = (target: CommitTarget): ExtraWrite[] => [{
      key: keys.idempotencyCommit(scope, key),
      value: { v: 1, fingerprint, atMs: nowMs, target } satisfies IdempotencyCommitRecord,
      expectAbsent: true,
      expireInMs: IDEMPOTENCY_TTL_MS,
    }];
    let result: { answer: Answer; keep: boolean } | { duplicate: true };
    try {
      result = await run(extraFor);
      if ("duplicate" in result) {
        // A run that outlived its claim made the change first: answer with what it made.
        const [, made] = await readIdempotency(app.kv, scope, key);
        result = made.value
          ? { answer: await recover(made.value), keep: true }
          : { answer: { status: 409, body: null }, keep: false };
      }
    } catch (err) {
      await abandonRun(app.kv, scope, key, claimed.versionstamp);
      throw err;
    }
    if (result.keep) await keep(app, scope, key, fingerprint, result.answer, nowMs);
    else await abandonRun(app.kv, scope, key, claimed.versionstamp);
    return { ok: true, answer: result.answer, replayed: false };
  }
  return { ok: false, reason: "idempotency_in_progress" };
}

async function keep(
  app: App,
  scope: string,
  key: string,
  fingerprint: string,
  answer: Answer,
  createdAtMs: number,
) {
  const small = JSON.stringify(answer.body).length <= MAX_KEPT_BODY;
  const rec: IdempotencyRecord = {
    v: 1,
    fingerprint,
    state: "done",
    untilMs: 0,
    createdAtMs,
    status: answer.status,
    ...(small ? { body: answer.body } : {}),
  };
  await finishRun(app.kv, scope, key, rec);
}
