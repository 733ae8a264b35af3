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
  answerOfCommit,
  commitWithAnswer,
  finishRun,
  IDEMPOTENCY_TTL_MS,
  readIdempotency,
  startRun,
} from "../store/idempotency.ts";
import { keys } from "../store/keys.ts";
import { sha256Hex } from "../integrations/crypto.ts";

/** How long a run holds its key before another request may take over (it died). */
const RUN_CLAIM_MS = 60_000;
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

/**
 * The records a guarded change writes into its own commit. With `answer` (the answer as the
 * change's plan made it) the commit record carries it: the change and its answer land in one
 * write, and nothing is written after.
 */
export type ExtraFor = (target: CommitTarget, answer?: Answer) => ExtraWrite[];

type Run = (
  extraFor: ExtraFor,
) => Promise<{ answer: Answer; keep: boolean; kept?: boolean } | { duplicate: true }>;

export async function runIdempotent(
  app: App,
  /**
   * `guarded`: the change puts `extraFor`'s records into its own commit. It then needs no claim:
   * each claim was a commit of its own, one of an API booking's three (issue 26).
   */
  opts: { scope: string; key: string; fingerprint: string; guarded?: boolean },
  /**
   * Makes the change; `extraFor(target)` goes into its commit. `keep: false` frees the key;
   * `duplicate` says the commit found this key's records (then they decide the answer).
   */
  run: Run,
  /** The answer for a change that committed but whose answer was never stored. */
  recover: (commit: IdempotencyCommitRecord) => Promise<Answer>,
): Promise<IdempotentOutcome> {
  if (opts.guarded) return await runGuarded(app, opts, run, recover);
  const { scope, key, fingerprint } = opts;
  for (let attempt = 0; attempt < 3; attempt++) {
    const nowMs = app.now();
    // Beside the writer (App.readKv): the claim below checks the versionstamp read here.
    const [run0, commit] = await readIdempotency(app.readKv, scope, key);
    const known = await answerOnRecord(app, opts, run0, commit, recover, nowMs);
    if (known) return known;
    const rec = live(run0.value, nowMs);
    const claimed = await startRun(app.kv, run0, {
      v: 1,
      fingerprint,
      state: "running",
      untilMs: nowMs + RUN_CLAIM_MS,
      createdAtMs: rec?.createdAtMs ?? nowMs,
    });
    // Another request claimed it first: read what it wrote.
    if (!claimed) continue;
    let result: { answer: Answer; keep: boolean } | { duplicate: true };
    try {
      result = await run(() => []);
    } catch (err) {
      await abandonRun(app.kv, scope, key, claimed.versionstamp);
      throw err;
    }
    if ("duplicate" in result) result = { answer: { status: 409, body: null }, keep: false };
    if (result.keep) await keep(app, scope, key, fingerprint, result.answer, nowMs);
    else await abandonRun(app.kv, scope, key, claimed.versionstamp);
    return { ok: true, answer: result.answer, replayed: false };
  }
  return { ok: false, reason: "idempotency_in_progress" };
}

/**
 * A change that commits its key's record itself runs without reading the key first: the engine
 * reads both records in the snapshot it plans from, so a key already used makes the change a
 * "conflict" before it is planned, and its commit checks the commit record absent. Only then, or
 * when the change was refused, are the records read to decide the answer. The first read was a
 * snapshot read of its own on every API booking, ~35 µs of the JavaScript thread (issue 26).
 * The stored answer is seen as that read saw it, not checked in the commit: a twin under the
 * same key whose refusal is stored meanwhile is the race the read before had too.
 */
async function runGuarded(
  app: App,
  opts: { scope: string; key: string; fingerprint: string },
  run: Run,
  recover: (commit: IdempotencyCommitRecord) => Promise<Answer>,
): Promise<IdempotentOutcome> {
  const { scope, key, fingerprint } = opts;
  const nowMs = app.now();
  const extraFor: ExtraFor = (target, answer) => {
    const commit: IdempotencyCommitRecord = { v: 1, fingerprint, atMs: nowMs, target };
    return [{
      key: keys.idempotency(scope, key),
      value: null,
      expectAbsent: true,
      readOnly: true,
    }, {
      key: keys.idempotencyCommit(scope, key),
      value: answer ? commitWithAnswer(commit, answer) : commit,
      expectAbsent: true,
      expireInMs: IDEMPOTENCY_TTL_MS,
    }];
  };
  let result = await run(extraFor);
  // The key was used before (the change found its records), by this request's twin racing it or
  // by an earlier try, or the change was refused, perhaps because of what that twin made (its
  // booking took the time): the records decide. A twin stores its own answer; a crash before it
  // did is recovered from the commit record.
  if ("duplicate" in result || result.answer.status >= 400) {
    const [kept, made] = await readIdempotency(app.kv, scope, key);
    const known = await answerOnRecord(app, opts, kept, made, recover, nowMs);
    if (known) return known;
    if ("duplicate" in result) result = { answer: { status: 409, body: null }, keep: false };
  }
  // An answer its change's commit carried is kept already (an API booking's: one write, not two).
  if (result.keep && !result.kept) await keep(app, scope, key, fingerprint, result.answer, nowMs);
  return { ok: true, answer: result.answer, replayed: false };
}

/** A stored answer that is still binding (a day), else null. */
const live = (rec: IdempotencyRecord | null, nowMs: number) =>
  rec && nowMs - rec.createdAtMs < IDEMPOTENCY_TTL_MS ? rec : null;

/**
 * What the key's records say the answer is: the stored one, the one rebuilt from a committed
 * change, or a refusal (the key was used for another request, or its request still runs); null
 * when they say nothing yet. A rebuilt answer is stored for later retries (a twin that made the
 * change may store its own: both are the booking as it was just made).
 */
async function answerOnRecord(
  app: App,
  { scope, key, fingerprint }: { scope: string; key: string; fingerprint: string },
  kept: Deno.KvEntryMaybe<IdempotencyRecord>,
  commit: Deno.KvEntryMaybe<IdempotencyCommitRecord>,
  recover: (commit: IdempotencyCommitRecord) => Promise<Answer>,
  nowMs: number,
): Promise<IdempotentOutcome | null> {
  const rec = live(kept.value, nowMs);
  if (rec && rec.fingerprint !== fingerprint) {
    return { ok: false, reason: "idempotency_key_reused" };
  }
  if (rec?.state === "done" && rec.body !== undefined) {
    return { ok: true, answer: { status: rec.status!, body: rec.body }, replayed: true };
  }
  if (rec?.state === "running" && rec.untilMs > nowMs) {
    return { ok: false, reason: "idempotency_in_progress" };
  }
  if (!commit.value) return null;
  if (commit.value.fingerprint !== fingerprint) {
    return { ok: false, reason: "idempotency_key_reused" };
  }
  const carried = answerOfCommit(commit.value);
  if (carried) return { ok: true, answer: carried, replayed: true };
  const answer = await recover(commit.value);
  await keep(app, scope, key, fingerprint, answer, nowMs);
  return { ok: true, answer, replayed: true };
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
  await finishRun(app.kv, scope, key, rec);
}
