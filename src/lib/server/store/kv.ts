/**
 * Opening Deno KV. The handle lives on globalThis because Vite's dev server re-imports
 * modules on every change, and a second handle on a local file would lock it.
 */
import { DatabaseSync } from "node:sqlite";
import { keys } from "./keys.ts";
import { recordReadResent, recordWriteResent } from "../ops/metrics.ts";
import { isRemoteKv } from "../config.ts";
import { RECEIPT_TTL_MS } from "../domain/booking-engine/index.ts";

const HANDLE = Symbol.for("invito.kv");
type Holder = { [HANDLE]?: Promise<Deno.Kv> };

export function openKv(path: string): Promise<Deno.Kv> {
  const g = globalThis as Holder;
  g[HANDLE] ??= (async () => {
    if (isRemoteKv(path)) return await openRemoteKv(path);
    if (path === ":memory:") return await Deno.openKv(path);
    const dir = path.replace(/[^/\\]*$/, "");
    if (dir) await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    // The file holds sessions, accounts and sealed credentials: only our user may read it.
    // SQLite creates the -wal and -shm files with the mode of the database file, so a new file
    // made under umask 077 keeps all three private; files left readable by an older version
    // are fixed before and after opening (the journal files may appear only on open).
    await privateFiles(path);
    const previous = umask(0o077);
    try {
      // A store that exists is changed before Deno's connection opens, so that connection's
      // own first writes never wait behind the change; a new one has Deno's schema only after.
      indexOnlyExpiringKeys(path);
      const kv = await Deno.openKv(path);
      indexOnlyExpiringKeys(path);
      return kv;
    } finally {
      if (previous !== null) umask(previous);
      await privateFiles(path);
    }
  })();
  return g[HANDLE]!;
}

/**
 * Deno KV's local SQLite schema indexes every row by its expiry (`kv_expiration_ms_idx`), and
 * nearly every key Invito writes never expires (-1): each new key was written twice, into the
 * table's B-tree and into the index's, on another page. A booking's commit wrote 46 pages, 21 of
 * them the index's (ADR 063). Deno KV reads that index in two statements, both asking
 * `expiration_ms >= 0` (the clean-up of expired keys and the next expiry), so an index of only
 * the keys that expire answers them alike; SQLite uses a partial index only for a query whose
 * terms imply its condition, so no answer can differ, only which rows it has to visit.
 * Replaced once per store: before Deno's connection opens a file that exists, after Deno KV's
 * own set-up made a new one (a schema change is seen by Deno's connections, which prepare their
 * statements again). A store it cannot change (read-only, held by another process past the
 * wait) keeps Deno's index and works as before.
 */
export function indexOnlyExpiringKeys(path: string, waitMs = 5_000): void {
  // Never made here: Deno KV makes the file and its schema.
  if (!isFile(path)) return;
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(path, { timeout: waitMs });
    const index = db.prepare(
      "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'kv_expiration_ms_idx'",
    ).get() as { sql: string | null } | undefined;
    // Deno's schema as we know it, and not already ours: anything else is left alone.
    if (!index?.sql || !FULL_EXPIRY_INDEX.test(index.sql)) return;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec("DROP INDEX kv_expiration_ms_idx");
      db.exec(EXPIRING_KEYS_INDEX);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  } catch (err) {
    console.warn(`Kept Deno KV's expiry index on ${path}: ${err}`);
  } finally {
    db?.close();
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const FULL_EXPIRY_INDEX = /^create index kv_expiration_ms_idx on kv \(expiration_ms\)$/i;
export const EXPIRING_KEYS_INDEX =
  "CREATE INDEX kv_expiration_ms_idx ON kv (expiration_ms) WHERE expiration_ms >= 0";

const READ_HANDLE = Symbol.for("invito.kv.read");
type ReadHolder = { [READ_HANDLE]?: Promise<Deno.Kv> };

/**
 * A second handle on the same local KV file, for the reads a guarded write or a kept page is
 * based on (issue 26). Deno KV runs each handle's SQLite connection on one thread of its own,
 * reads and commits alike, so on one handle a booking's reads wait behind other bookings'
 * commits (their page writes and disk waits); a second connection reads beside the writer, as
 * SQLite's WAL mode allows: a read that starts after a commit returned sees it, and one that
 * started before it sees the older versionstamps, which the commit's checks then refuse, as
 * they would any other race. In-memory and remote stores have no such queue: the same handle.
 * Opened right after `main`, before this process writes anything: the file and its companions
 * already have their private modes, and a connection's opening (its own set-up and clean-up of
 * expired keys in one go) made a commit on the other connection at that moment fail with
 * "database is locked" in a trial; once open, 325,000 commits beside both connections' periodic
 * clean-up of 30,000 expired keys all landed (one that meets a clean-up anyway is sent again:
 * `commitPastLocks`).
 */
export function openReadKv(path: string, main: Deno.Kv): Promise<Deno.Kv> {
  if (isRemoteKv(path) || path === ":memory:") return Promise.resolve(main);
  const g = globalThis as ReadHolder;
  g[READ_HANDLE] ??= (async () => {
    const read = await Deno.openKv(path);
    // A connection's thread starts with write transactions of its own (requeueing stale queue
    // entries, deleting expired keys) before it takes any request: the first read returns after
    // them, so the process's first commits (the schema lease at start) do not meet them.
    await read.get(keys.meta("health"));
    return read;
  })();
  return g[READ_HANDLE]!;
}

/**
 * SQLite's "database is locked" (SQLITE_BUSY) from a commit on a local store. Another
 * connection holds the write lock: the read handle's own clean-up of expired keys, a slow
 * disk's commit, a backup. A commit without checks waits up to 5 s for it; one with checks has
 * read first, and SQLite refuses a read turning into a write without waiting, so it fails at
 * once (CI saw it at a server's start, on the schema lease). The transaction was rolled back:
 * unlike an unknown outcome (see `commitOrReread`) it is safe to send again after a short wait.
 */
export function isStoreLocked(err: unknown): boolean {
  return err instanceof TypeError && /database is locked/i.test(err.message);
}

/** The waits before each new attempt of a commit refused with "database is locked". */
export const LOCKED_WAITS_MS = [10, 25, 50, 100, 200, 400, 800, 1_600];

/**
 * Runs `op` again after each wait while it fails with an error `transient` accepts: an error
 * that says nothing happened (a rolled-back commit, a read), never an unknown outcome.
 */
async function againWhile<T>(
  op: () => Promise<T>,
  transient: (err: unknown) => boolean,
  waits: readonly number[],
): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!transient(err) || attempt >= waits.length) throw err;
      await new Promise((r) => setTimeout(r, waits[attempt] * (0.5 + Math.random())));
    }
  }
}

/**
 * Commits `op`, sending it again while the local store answers "database is locked", and — when
 * `resendable` — after a remote answer that broke off inside its body (`isBrokenAnswer`).
 *
 * Such a write's outcome is decided (the status came: it landed, or a check refused it) but
 * unread, and Deno's client throws instead of resending, as it does for an answer that never
 * came. Sending it again is safe by construction for a write with checks (had the first landed,
 * the second fails them: the caller reads and decides again, as after any lost answer; writes
 * that must know commit through `commitOrReread`) and for one of sets and deletes only (the same
 * state twice). A write that adds without checks (`sum`, `min`, `max`, an enqueue) is not
 * resendable: the error goes to the caller, as an unknown outcome must (counters use
 * `commitOnce`).
 */
export function commitPastLocks(
  op: Deno.AtomicOperation,
  waits: readonly number[] = LOCKED_WAITS_MS,
  resendable = false,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  const commit = () => againWhile(() => op.commit(), isStoreLocked, waits);
  return resendable ? againWhile(commit, writeAgain, BROKEN_ANSWER_WAITS_MS) : commit();
}

/**
 * A remote read or write whose answer broke off after its status, inside the body: Deno's KV
 * Connect client resends a request that got no answer (and one answered 5xx), but throws this
 * one. One HTTP/2 connection carries all of a process's requests, so a cut connection breaks
 * every request in flight on it (CI: a poll vote's read, while a commit's answer was lost on
 * three processes).
 */
export function isBrokenAnswer(err: unknown): boolean {
  return err instanceof Error && /^KV Connect failed to read response body/.test(err.message);
}

/** A broken read answer, counted for /metrics (an operator sees the network's blips). */
function readAgain(err: unknown): boolean {
  if (!isBrokenAnswer(err)) return false;
  recordReadResent();
  return true;
}

/** A broken write answer (`commitPastLocks`), counted for /metrics like a read's. */
function writeAgain(err: unknown): boolean {
  if (!isBrokenAnswer(err)) return false;
  recordWriteResent();
  return true;
}

/** The waits before each new attempt of a remote read or write whose answer broke off. */
export const BROKEN_ANSWER_WAITS_MS = [0, 20, 100, 400, 1_600];

/**
 * A remote store whose reads are sent again when their answer breaks off (`isBrokenAnswer`):
 * a read changes nothing, so reading again is always safe, and the person is not shown a 500
 * for a network blip. A list resumes after the last entry it handed out (Deno's cursor), with
 * what is left of its limit: each entry once, in order, as a list's pages are anyway (each page
 * is a read of its own). Commits are not touched: their unknown outcome is settled by reading
 * (`commitOrReread`).
 */
export async function openRemoteKv(url: string): Promise<Deno.Kv> {
  const kv = await Deno.openKv(url);
  const get = (key: Deno.KvKey, o?: { consistency?: Deno.KvConsistencyLevel }) =>
    againWhile(() => kv.get(key, o), readAgain, BROKEN_ANSWER_WAITS_MS);
  const getMany = (ks: Deno.KvKey[], o?: { consistency?: Deno.KvConsistencyLevel }) =>
    againWhile(() => kv.getMany(ks, o), readAgain, BROKEN_ANSWER_WAITS_MS);
  const list = (selector: Deno.KvListSelector, o?: Deno.KvListOptions) =>
    resumingList(kv, selector, o ?? {});
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "get") return get;
      if (prop === "getMany") return getMany;
      if (prop === "list") return list;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function resumingList<T>(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  options: Deno.KvListOptions,
): Deno.KvListIterator<T> {
  let inner = kv.list<T>(selector, options);
  let handed = 0;
  let cursor: string | undefined;
  const next = () =>
    againWhile(
      async (): Promise<IteratorResult<Deno.KvEntry<T>, undefined>> => {
        if (options.limit !== undefined && handed >= options.limit) {
          return { done: true, value: undefined };
        }
        try {
          const r = await inner.next();
          if (!r.done) {
            handed++;
            cursor = inner.cursor;
          }
          return r;
        } catch (err) {
          if (isBrokenAnswer(err)) {
            const left = options.limit === undefined ? {} : { limit: options.limit - handed };
            inner = kv.list<T>(selector, { ...options, ...left, cursor: cursor ?? options.cursor });
          }
          throw err;
        }
      },
      readAgain,
      BROKEN_ANSWER_WAITS_MS,
    );
  const it = {
    get cursor() {
      return inner.cursor;
    },
    next,
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it as unknown as Deno.KvListIterator<T>;
}

/** Deno.umask where the platform has one (not on Windows); null when it does not. */
function umask(mask: number): number | null {
  try {
    return Deno.umask(mask);
  } catch {
    return null;
  }
}

/** Mode 0600 for the KV file and its SQLite companions, where they exist. */
export async function privateFiles(path: string): Promise<void> {
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    try {
      const info = await Deno.stat(file);
      if (info.mode !== null && (info.mode & 0o077) !== 0) await Deno.chmod(file, 0o600);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        console.warn(`Could not make ${file} private (mode 0600): ${err}`);
      }
    }
  }
}

/** The most checks one atomic operation may carry on remote KV (Deno Deploy, denokv). */
export const MAX_CHECKS = 10;

/** The most keys one `getMany` may ask for (Deno KV refuses more, locally and remotely). */
export const MAX_READ_KEYS = 10;

/** The entries of any number of keys, in their order: one `getMany` per ten of them. */
export async function getEntries<T>(
  kv: Deno.Kv,
  ks: readonly Deno.KvKey[],
): Promise<Deno.KvEntryMaybe<T>[]> {
  const out: Deno.KvEntryMaybe<T>[] = [];
  for (let i = 0; i < ks.length; i += MAX_READ_KEYS) {
    out.push(...await kv.getMany<T[]>(ks.slice(i, i + MAX_READ_KEYS)));
  }
  return out;
}

/** The values of any number of keys, in their order, the absent ones left out. */
export async function getValues<T>(kv: Deno.Kv, ks: readonly Deno.KvKey[]): Promise<T[]> {
  const out: T[] = [];
  for (const e of await getEntries<T>(kv, ks)) if (e.value !== null) out.push(e.value);
  return out;
}

/**
 * Commit an atomic operation whose outcome may be unknown, and learn the truth by reading:
 * `landed` re-reads to tell whether the write happened, instead of sending it again.
 *
 * On remote KV (KV Connect) the unknown outcome does not arrive as an exception: Deno's client
 * resends a write whose connection broke, and when the first one had landed, the resend's checks
 * fail against it — `commit()` answers `{ ok: false }` for a write that happened. So a failed
 * commit is settled by the same read as a thrown one (one read, only after a failure). A write
 * that did not land reports `ok: false`, like a failed check: the caller reads and decides anew
 * (safe when the write checks something it also changes, so a late landing fails the retry).
 */
export async function commitOrReread(
  op: Deno.AtomicOperation,
  landed: () => Promise<boolean>,
): Promise<{ ok: boolean }> {
  try {
    if ((await op.commit()).ok) return { ok: true };
  } catch (err) {
    // A TypeError from a bad operation is a bug, not an unknown outcome.
    if (err instanceof TypeError) throw err;
  }
  return { ok: await landed() };
}

/**
 * Commits `op` with a commit receipt (`keys.commitReceipt`, a fresh id, kept as long as a
 * booking change's: RECEIPT_TTL_MS) and settles a failed commit by reading it, through
 * `commitOrReread`: `{ ok: true }` exactly when this write landed, even when its answer was lost.
 * For a checked change of an existing record (a settings save, a rename, a membership change, a
 * single-use token's use) where what was written cannot tell this request's write from another
 * one's. One more mutation of a few bytes: remote KV limits hold for callers far below them.
 */
export function commitWithReceipt(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
): Promise<{ ok: boolean }> {
  return receipted(kv, op, false);
}

/**
 * Commits a write with no checks of its own — counters' sums — exactly once, even over remote
 * KV: Deno's client resends a write whose connection broke before the answer, and a resent sum
 * adds a second time (a host's insights counted a lost answer's bookings twice). The receipt is
 * checked absent, so a resend fails against the first write, and reading the receipt tells that
 * it landed. `{ ok: false }`: the write did not land (its answer broke and the receipt is absent).
 */
export function commitOnce(kv: Deno.Kv, op: Deno.AtomicOperation): Promise<{ ok: boolean }> {
  return receipted(kv, op, true);
}

function receipted(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
  checkedAbsent: boolean,
): Promise<{ ok: boolean }> {
  const key = keys.commitReceipt(crypto.randomUUID());
  if (checkedAbsent) op.check({ key, versionstamp: null });
  op.set(key, 1, { expireIn: RECEIPT_TTL_MS });
  return commitOrReread(op, async () => (await kv.get(key)).versionstamp !== null);
}

/** What an attempt of `untilLanded` answers when its checked commit lost: read again. */
export const LOST: unique symbol = Symbol("lost commit");

/**
 * The guard of `untilLanded`: far above any number of writers of one record at once. It stops
 * a bug (an attempt that loses to its own write, a check on a key something rewrites without
 * end) from spinning; it is not a give-up under contention, which needs one try per writer.
 */
export const LANDING_GUARD = 1_000;

/**
 * Runs `attempt` — read, decide, checked commit — until it lands or decides to stop: whatever
 * it answers other than `LOST` is the answer. For a write whose commits lose only to other
 * writers of what it checks, and those writers are finite (people pressing a button at once,
 * an API client's retries, a job's run): each lost commit is another writer's commit landing, so
 * the loop ends after at most one try per writer. A small bound there (3, 5, 10 tries) turned
 * contention into a wrong answer: one of eight presses of "save new password" at once was told
 * "That did not work", and twenty presses of "new feed URL" answered a 500. The attempt
 * re-reads each time, so what it checks (a removed record stays removed) holds as before; an
 * attempt whose outcome may be unknown commits through `commitOrReread`/`commitWithReceipt`
 * and answers `LOST` only when its write did not land.
 */
export async function untilLanded<T>(
  what: string,
  attempt: () => Promise<T | typeof LOST>,
): Promise<T> {
  for (let n = 0; n < LANDING_GUARD; n++) {
    const out = await attempt();
    if (out !== LOST) return out;
  }
  throw new Error(`${what}: ${LANDING_GUARD} commits in a row lost (a bug, not contention)`);
}

/**
 * Nothing at the local store's path (the command line refuses to make one there: a mistyped
 * INVITO_DB_PATH would read as an empty store). Another problem, such as a file where a folder
 * should be, is not "missing": opening says what it is (`storeOpenProblem`).
 */
export async function localStoreMissing(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => false, (e) => e instanceof Deno.errors.NotFound);
}

/**
 * Why a local store could not be opened, for a person (the command line): the path
 * INVITO_DB_PATH names is a folder, or a file stands where a folder of it should be, or the
 * system's own reason.
 */
export async function storeOpenProblem(path: string, err: unknown): Promise<string> {
  const at = `cannot open the store at ${path} (INVITO_DB_PATH)`;
  const kind = async (p: string) => {
    try {
      return (await Deno.stat(p)).isDirectory ? "folder" : "file";
    } catch {
      return null;
    }
  };
  if ((await kind(path)) === "folder") {
    return `${at}: it is a folder; name the store's file in it, such as ${
      path.replace(/[/\\]+$/, "")
    }/invito.kv`;
  }
  // Up the folders the path names (a relative one ends at its first name, an absolute one at /).
  const parent = (p: string) => p.replace(/[/\\]+[^/\\]*$/, "");
  for (let dir = parent(path), up = path; dir && dir !== up; up = dir, dir = parent(dir)) {
    const k = await kind(dir);
    if (k === "file") return `${at}: ${dir} is a file, not a folder; choose another path`;
    if (k === "folder") break;
  }
  const reason = err instanceof Error ? err.message : String(err);
  return `${at}: ${reason}. Name a file in a folder this user may write, or a remote KV URL.`;
}
