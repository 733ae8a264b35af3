/**
 * Idempotency-Key for requests that change state (IETF draft "The Idempotency-Key HTTP Header
 * Field"). The same key with the same request replays the first answer (status and body); with a
 * different request it is refused. A change that commits an `idempotency_commit` record in its
 * own atomic write, checked absent (`guarded`: bookings and booking changes), is made at most once
 * per key by that write alone, so a crash between the change and storing its answer never makes
 * it twice: the answer is then rebuilt from what was committed. Requests racing under one key
 * all run, one commits, and the others answer with what it made (or are told the key was used
 * for another request). Any other change first claims the key in a write of its own; while that
 * claim runs, a second request is refused.
 */
import type { App } from "../app.ts";
import type { ExtraWrite } from "../domain/booking-engine/index.ts";
import type { IdempotencyCommitRecord, IdempotencyRecord } from "../domain/model/records.ts";
import {
  abandonRun,
  finishRun,
  IDEMPOTENCY_TTL_MS,
  readIdempotency,
  startRun,
} from "../store/idempotency.ts";
import { keys } from "../store/keys.ts";
import { sha256Hex } from "../integrations/crypto.ts";
import { REMOTE_KV_LIMITS, valueBytes } from "../domain/kv-budget.ts";

/** How long a run holds its key before another request may take over (it died). */
const RUN_CLAIM_MS = 60_000;
/** Answers larger than this are not kept verbatim (KV values stay under 64 KiB); rebuilt instead. */
const MAX_KEPT_BYTES = REMOTE_KV_LIMITS.valueBytes - 4 * 1024;
export const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** What documentation shows where a key goes; never a key itself. */
export const IDEMPOTENCY_KEY_PLACEHOLDER = "<unique-key>";
/** The example key earlier agent pages printed: copied by many, so it is nobody's. */
const PUBLISHED_EXAMPLE_KEYS = new Set(["5f1c2b9e-0d3a-4c7e-9b1a-2f6e8d4c3a10"]);
const PLACEHOLDER_WORDS = new Set([
  "uniquekey",
  "yourkey",
  "youruniquekey",
  "idempotencykey",
  "youridempotencykey",
  "key",
  "uuid",
  "youruuid",
  "example",
  "examplekey",
  "placeholder",
  "changeme",
  "replaceme",
  "test",
]);

/**
 * Whether a key is a placeholder copied from documentation rather than a key of its own:
 * template brackets (`<unique-key>`, `{{key}}`, `${KEY}`, `[key]`), a word like "your-key", one
 * character repeated (`00000000-0000-…`, `xxxxxxxx`), or an example key once published. The first
 * caller of such a key would hold it for every later one (25 h), so it is refused with a message.
 */
export function isPlaceholderKey(key: string): boolean {
  if (/[<>{}]|\$\{|^\[.*\]$/.test(key)) return true;
  if (PUBLISHED_EXAMPLE_KEYS.has(key.toLowerCase())) return true;
  const letters = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (letters.length === 0 || PLACEHOLDER_WORDS.has(letters)) return true;
  return letters.length >= 8 && sameCharacter(letters);
}

/** Whether every character of `s` is its first (a loop: a Set of them was garbage per request). */
function sameCharacter(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) !== s.charCodeAt(0)) return false;
  return true;
}

/**
 * The scope of a key sent without an API key (the public booking endpoint): the caller's
 * address and credentials as presented, and the guest's email. Another client that sends a
 * guest's key and body is another scope: it gets no replay of that guest's answer (which holds
 * their manage and cancel links) and cannot take the key from them.
 */
export async function anonymousScope(
  clientIp: string,
  authorization: string | null,
  email: string,
): Promise<string> {
  return `anon:${await sha256Hex(
    `${clientIp}\n${authorization ?? ""}\n${email.trim().toLowerCase()}`,
  )}`;
}

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
  /**
   * `guarded`: the change puts `extraFor`'s record into its own commit. It then needs no claim:
   * each claim was a commit of its own, one of an API booking's three (issue 26).
   */
  opts: { scope: string; key: string; fingerprint: string; guarded?: boolean },
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
    // Beside the writer (App.readKv): the claim below checks the versionstamp read here.
    const [run0, commit] = await readIdempotency(app.readKv, scope, key);
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
    const claimed = opts.guarded ? null : await startRun(app.kv, run0, {
      v: 1,
      fingerprint,
      state: "running",
      untilMs: nowMs + RUN_CLAIM_MS,
      createdAtMs: rec?.createdAtMs ?? nowMs,
    });
    // Another request claimed it first: read what it wrote.
    if (!opts.guarded && !claimed) continue;
    const extraFor = (target: CommitTarget): ExtraWrite[] => [{
      key: keys.idempotencyCommit(scope, key),
      value: { v: 1, fingerprint, atMs: nowMs, target } satisfies IdempotencyCommitRecord,
      expectAbsent: true,
      expireInMs: IDEMPOTENCY_TTL_MS,
    }];
    let result: { answer: Answer; keep: boolean } | { duplicate: true };
    try {
      result = await run(extraFor);
    } catch (err) {
      if (claimed) await abandonRun(app.kv, scope, key, claimed.versionstamp);
      throw err;
    }
    // The change lost to another request under this key (its commit found the record), or was
    // refused because of what that request made (a guarded twin's booking took the time): answer
    // with what it made. That request stores the answer; a crash before is recovered as above.
    if ("duplicate" in result || (opts.guarded && result.answer.status >= 400)) {
      const [, made] = await readIdempotency(app.kv, scope, key);
      if (made.value && made.value.fingerprint !== fingerprint) {
        if (claimed) await abandonRun(app.kv, scope, key, claimed.versionstamp);
        return { ok: false, reason: "idempotency_key_reused" };
      }
      if (made.value) {
        const answer = await recover(made.value);
        if (claimed) await keep(app, scope, key, fingerprint, answer, nowMs);
        return { ok: true, answer, replayed: true };
      }
      if ("duplicate" in result) result = { answer: { status: 409, body: null }, keep: false };
    }
    if (result.keep) await keep(app, scope, key, fingerprint, result.answer, nowMs);
    else if (claimed) await abandonRun(app.kv, scope, key, claimed.versionstamp);
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
  const rec: IdempotencyRecord = {
    v: 1,
    fingerprint,
    state: "done",
    untilMs: 0,
    createdAtMs,
    status: answer.status,
    body: answer.body,
  };
  // A value must fit remote KV's (domain/kv-budget.ts); a larger answer is rebuilt instead.
  if (valueBytes(rec) > MAX_KEPT_BYTES) delete rec.body;
  await finishRun(app.kv, scope, key, rec);
}
