/**
 * A KV Connect server for tests: what `Deno.openKv("http://127.0.0.1:PORT")` talks to, written
 * from the published protocol (denoland/denokv `proto/kv-connect.md`, `proto/schema/datapath.proto`,
 * limits from `denokv/limits.rs`). No denokv binary can be installed here; this stands in for it
 * the way tests/support/google.ts stands in for Google Calendar.
 *
 * ```ts
 * await using kvs = await startKvConnect();            // data in a temp Deno KV file
 * Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
 * const kv = await Deno.openKv(kvs.url);               // the real remote client of Deno
 * kvs.faults.set({ latencyMs: [5, 20], loseAnswer: 1 }); // or POST {url}/_faults with that JSON
 * ```
 *
 * Protocol: the metadata exchange (POST / with `Authorization: Bearer <token>` and
 * `{"supportedVersions":[…]}`; answers the highest of 1–3 the client offers), then the data path
 * under `/v<version>`: `snapshot_read`, `atomic_write` and `watch` (a stream of length-prefixed
 * `WatchOutput`s). Keys arrive in Deno KV's order-preserving key encoding; each is stored as one
 * `Uint8Array` key part of a local Deno KV, so ranges keep their order. Values are passed through
 * with their encoding (V8, bytes, little-endian u64 for sum/min/max). Versionstamps are 10 bytes:
 * a big-endian commit counter and two zero bytes. `expire_at_ms` makes an entry absent from then
 * on (reads and checks alike); the local KV deletes it later.
 *
 * Every read and write runs under one lock, so a read of several ranges is one snapshot and a
 * write is applied as a whole (writes larger than one local atomic operation are split under the
 * lock; only a crash of this test server itself could leave half of one behind).
 *
 * Refused with 400 and a message, as denokv refuses them: more than 10 checks, 1,000 mutations or
 * 819,200 bytes of keys (checked and mutated) and values in one write; a key over 2,048 bytes (2,049 for read bounds);
 * a value over 65,536 bytes; more than 10 ranges or 1,000 entries in one read; any enqueue (the
 * app does not use queues, docs/decisions/004-outbox.md); more than 10 watched keys.
 *
 * Faults on command (`faults.set`, or POST `/_faults` with the same JSON; GET `/_stats`):
 * - `latencyMs`: added delay before each data-path request is handled (a number or [min, max]);
 * - `fail5xx`: the next N data-path requests answer 503 (the client retries them);
 * - `dropBeforeCommit`: the next N atomic writes are cut off before they are applied;
 * - `loseAnswer`: the next N atomic writes are applied, then the connection is cut before the
 *   answer (the outcome is unknown to the client: it must re-read, not assume);
 * - `failChecks`: the next N atomic writes answer that a check failed, applying nothing (as when
 *   another process changed a checked key first: a crowd that keeps winning);
 * - `cutReadBody`: the next N snapshot reads answer their status and headers, then the connection
 *   is cut before the body (the client sees "failed to read response body", which Deno's client
 *   does not retry; every other request in flight on that connection, HTTP/2 carrying them all,
 *   breaks too, and those the client does resend);
 * - `cutWriteBody`: the same for the next N atomic writes, after each was applied (or refused by
 *   a check): the outcome is in the body the client never reads;
 * - `stallWrites`: atomic writes wait (before being applied) until it is set back to false;
 * - `matchKey`: the write faults above only hit writes that touch a key whose first part is
 *   this string (so a test can lose the answer of the booking's write, not a session's).
 * A cut connection is a real one: the server sits behind a byte-level TCP relay and closes the
 * client's socket, so the client sees a network error, not an HTTP status. The relay is a small
 * Python process (kv-connect/relay.py): it ACKs what it reads at once, which Deno's sockets cannot
 * ask for, and Deno's remote client otherwise waited ~40 ms on every write larger than ~1 KB.
 */
import protobuf from "protobufjs";
import { join } from "node:path";
import { makeDataDir } from "./data-dir.ts";

const PROTO = await Deno.readTextFile(join(import.meta.dirname!, "kv-connect", "datapath.proto"));
const root = protobuf.parse(PROTO, { keepCase: true }).root;
const T = (name: string) => root.lookupType(`com.deno.kv.datapath.${name}`);
const SnapshotRead = T("SnapshotRead");
const SnapshotReadOutput = T("SnapshotReadOutput");
const AtomicWrite = T("AtomicWrite");
const AtomicWriteOutput = T("AtomicWriteOutput");
const Watch = T("Watch");
const WatchOutput = T("WatchOutput");

/** denokv's limits (denokv/limits.rs). */
export const KV_CONNECT_LIMITS = {
  maxWriteKeyBytes: 2048,
  maxReadKeyBytes: 2049,
  maxValueBytes: 65_536,
  maxReadRanges: 10,
  maxReadEntries: 1000,
  maxChecks: 10,
  maxMutations: 1000,
  maxTotalMutationBytes: 819_200,
  maxWatchedKeys: 10,
} as const;

const PROTOCOL_VERSIONS = [1, 2, 3];

// Enum values of datapath.proto.
const SR_SUCCESS = 1;
const AW_SUCCESS = 1;
const AW_CHECK_FAILURE = 2;
const M_SET = 1, M_DELETE = 2, M_SUM = 3, M_MAX = 4, M_MIN = 5, M_SET_SUFFIX_VS = 9;
const VE_V8 = 1, VE_LE64 = 2, VE_BYTES = 3;

export type Faults = {
  latencyMs?: number | [number, number];
  fail5xx?: number;
  dropBeforeCommit?: number;
  loseAnswer?: number;
  failChecks?: number;
  cutReadBody?: number;
  cutWriteBody?: number;
  stallWrites?: boolean;
  /**
   * Only writes that set or delete a key whose first part is this string count for
   * `dropBeforeCommit`, `loseAnswer` and `failChecks` (e.g. "booking": the write that creates a
   * booking).
   */
  matchKey?: string;
  /**
   * Only writes all of whose keys have one of these first parts count for `dropBeforeCommit`
   * and `loseAnswer` (e.g. ["outbox", "outbox_by_booking"]: an outbox claim, not a booking).
   */
  matchOnly?: string[];
};

export type KvConnectStats = {
  metadata: number;
  reads: number;
  writes: number;
  commits: number;
  checkFailures: number;
  watches: number;
  /** requests refused with 4xx, with the message sent */
  refused: string[];
  /**
   * The most any accepted write carried, each measured as denokv does: checks, mutations, bytes
   * of its checked keys and of its mutations' keys and values, its largest value and key.
   */
  largest: {
    checks: number;
    mutations: number;
    bytes: number;
    valueBytes: number;
    keyBytes: number;
  };
  injected: {
    fail5xx: number;
    dropBeforeCommit: number;
    loseAnswer: number;
    failChecks: number;
    cutReadBody: number;
    cutWriteBody: number;
  };
};

/** What the local KV file holds per remote key (the on-disk format). */
type Stored = {
  /** value encoding (datapath ValueEncoding) */
  e: number;
  /** the value bytes when they fit in one local entry, else null (then in `chunks` entries) */
  d: Uint8Array | null;
  chunks: number;
  /** versionstamp, 10 bytes */
  vs: Uint8Array;
  /** expiry in epoch ms, 0 = none */
  x: number;
};

/** One remote key as the server holds it in memory. */
type Entry = {
  key: Uint8Array;
  /** value encoding (datapath ValueEncoding) */
  e: number;
  value: Uint8Array;
  /** versionstamp, 10 bytes */
  vs: Uint8Array;
  /** expiry in epoch ms, 0 = none */
  x: number;
  /** how many chunk entries the local file holds for it (0: the value is inline) */
  chunks: number;
};

const CHUNK = 60_000;
const E = "e"; // ["e", remoteKey] → Stored
const C = "c"; // ["c", remoteKey, i] → Uint8Array chunk
const META_VERSION = ["m", "version"];

class Refusal extends Error {}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Lower-case hex; also the in-memory sort key: it orders like the bytes (fixed 2 chars each). */
const hex = (b: Uint8Array) => {
  let out = "";
  for (let i = 0; i < b.length; i++) out += HEX[b[i]];
  return out;
};
const bytes = (b: Uint8Array | undefined | null) => b ? new Uint8Array(b) : new Uint8Array();
const num = (n: unknown) => Number(n ?? 0);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function readU64(b: Uint8Array): bigint {
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}
function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return out;
}

/** The first index in the sorted `list` whose element is >= `k` (or > `k` when `after`). */
function lowerBound(list: string[], k: string, after = false): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < k || (after && list[mid] === k)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The data: every entry in memory (a map and a sorted key list), the local KV file behind it.
 *
 * A read is answered from memory without waiting, so it is one snapshot by construction (the JS
 * thread does nothing else meanwhile). A write checks and applies itself to memory in one
 * synchronous step — atomic for the same reason — and is then written to the local file; its
 * answer waits for that, and file writes go in commit order (one chain), so an acknowledged
 * write is on disk and a restart of the server loads exactly the acknowledged history (plus,
 * after a crash of the server itself, possibly the last unacknowledged one). Another client can
 * read a write while it is on its way to the file; a write is never visible and then undone.
 */
export class KvConnectStore {
  #version = 0n;
  readonly #entries = new Map<string, Entry>();
  /** hex keys in byte order (ranges) */
  #sorted: string[] = [];
  /** the file writes, in commit order */
  #disk: Promise<void> = Promise.resolve();
  readonly #listeners = new Set<() => void>();
  stats: KvConnectStats = {
    metadata: 0,
    reads: 0,
    writes: 0,
    commits: 0,
    checkFailures: 0,
    watches: 0,
    refused: [],
    largest: { checks: 0, mutations: 0, bytes: 0, valueBytes: 0, keyBytes: 0 },
    injected: {
      fail5xx: 0,
      dropBeforeCommit: 0,
      loseAnswer: 0,
      failChecks: 0,
      cutReadBody: 0,
      cutWriteBody: 0,
    },
  };

  private constructor(readonly kv: Deno.Kv) {}

  static async open(path: string): Promise<KvConnectStore> {
    const kv = await Deno.openKv(path);
    const store = new KvConnectStore(kv);
    store.#version = (await kv.get<bigint>(META_VERSION)).value ?? 0n;
    const chunks = new Map<string, Uint8Array[]>();
    for await (const c of kv.list<Uint8Array>({ prefix: [C] })) {
      const k = hex(c.key[1] as Uint8Array);
      const list = chunks.get(k) ?? [];
      list[Number(c.key[2])] = c.value;
      chunks.set(k, list);
    }
    const nowMs = Date.now();
    for await (const { key, value: s } of kv.list<Stored>({ prefix: [E] })) {
      if (s.x !== 0 && s.x <= nowMs) continue;
      const k = key[1] as Uint8Array;
      const h = hex(k);
      let value = s.d;
      if (!value) {
        const parts = chunks.get(h) ?? [];
        value = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          value.set(p, at);
          at += p.length;
        }
      }
      store.#entries.set(h, { key: k, e: s.e, value, vs: s.vs, x: s.x, chunks: s.chunks });
    }
    store.#sorted = [...store.#entries.keys()].sort();
    return store;
  }

  async close() {
    await this.#disk.catch(() => {});
    this.kv.close();
  }

  onCommit(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The live entry of a hex key (an expired one reads as absent; the file drops it later). */
  #live(h: string, nowMs: number): Entry | null {
    const e = this.#entries.get(h);
    if (!e) return null;
    if (e.x !== 0 && e.x <= nowMs) return null;
    return e;
  }

  #put(h: string, e: Entry | null) {
    const had = this.#entries.has(h);
    if (e) {
      this.#entries.set(h, e);
      if (!had) this.#sorted.splice(lowerBound(this.#sorted, h), 0, h);
    } else if (had) {
      this.#entries.delete(h);
      const i = lowerBound(this.#sorted, h);
      if (this.#sorted[i] === h) this.#sorted.splice(i, 1);
    }
  }

  /** `SnapshotRead` → `SnapshotReadOutput` fields. */
  read(req: protobuf.Message): Promise<Record<string, unknown>> {
    const ranges = (req as unknown as {
      ranges: { start: Uint8Array; end: Uint8Array; limit: number; reverse: boolean }[];
    }).ranges ?? [];
    const L = KV_CONNECT_LIMITS;
    if (ranges.length > L.maxReadRanges) {
      throw new Refusal(`too many ranges (max ${L.maxReadRanges})`);
    }
    let total = 0;
    for (const r of ranges) {
      if (r.limit <= 0) throw new Refusal("limit must be positive");
      total += r.limit;
      if (bytes(r.start).length > L.maxReadKeyBytes || bytes(r.end).length > L.maxReadKeyBytes) {
        throw new Refusal(`key too large for read (max ${L.maxReadKeyBytes} bytes)`);
      }
    }
    if (total > L.maxReadEntries) {
      throw new Refusal(`too many entries (max ${L.maxReadEntries})`);
    }
    const nowMs = Date.now();
    const out = [];
    for (const r of ranges) {
      const values = [];
      const start = hex(bytes(r.start)), end = hex(bytes(r.end));
      if (start < end) {
        const from = lowerBound(this.#sorted, start), to = lowerBound(this.#sorted, end);
        const step = r.reverse ? -1 : 1;
        for (let i = r.reverse ? to - 1 : from; i >= from && i < to; i += step) {
          const e = this.#live(this.#sorted[i], nowMs);
          if (!e) continue;
          values.push({ key: e.key, value: e.value, encoding: e.e, versionstamp: e.vs });
          if (values.length >= r.limit) break;
        }
      }
      out.push({ values });
    }
    return Promise.resolve({
      ranges: out,
      read_disabled: false,
      read_is_strongly_consistent: true,
      status: SR_SUCCESS,
    });
  }

  /** Validates an `AtomicWrite` against denokv's limits; throws a Refusal. */
  validate(w: AtomicWriteMsg) {
    const L = KV_CONNECT_LIMITS;
    if (w.enqueues.length > 0) {
      throw new Refusal("enqueue is not supported by this server (the app uses an outbox)");
    }
    if (w.checks.length > L.maxChecks) throw new Refusal(`too many checks (max ${L.maxChecks})`);
    if (w.mutations.length > L.maxMutations) {
      throw new Refusal(`too many mutations (max ${L.maxMutations})`);
    }
    // A write's size, as denokv measures it: the checks' keys as well as the mutations' keys and
    // values.
    let total = 0;
    for (const c of w.checks) {
      const key = bytes(c.key);
      if (key.length > L.maxWriteKeyBytes) throw new Refusal("key too large for write");
      total += key.length;
      const vs = bytes(c.versionstamp);
      if (vs.length !== 0 && vs.length !== 10) throw new Refusal("invalid versionstamp");
    }
    for (const m of w.mutations) {
      const key = bytes(m.key);
      if (key.length === 0) throw new Refusal("empty key");
      if (key.length > L.maxWriteKeyBytes) {
        throw new Refusal(`key too large for write (max ${L.maxWriteKeyBytes} bytes)`);
      }
      total += key.length;
      const t = m.mutation_type;
      if (![M_SET, M_DELETE, M_SUM, M_MAX, M_MIN, M_SET_SUFFIX_VS].includes(t)) {
        throw new Refusal(`unknown mutation type ${t}`);
      }
      if (t === M_DELETE) continue;
      const v = m.value;
      if (!v) throw new Refusal("mutation without a value");
      const data = bytes(v.data);
      if (data.length > L.maxValueBytes) {
        throw new Refusal(`value too large (max ${L.maxValueBytes} bytes)`);
      }
      total += data.length;
      if (![VE_V8, VE_LE64, VE_BYTES].includes(v.encoding)) {
        throw new Refusal(`unknown value encoding ${v.encoding}`);
      }
      if ((t === M_SUM || t === M_MIN || t === M_MAX)) {
        if (v.encoding !== VE_LE64 || data.length !== 8) {
          throw new Refusal("sum, min and max take a 64-bit unsigned integer (KvU64)");
        }
      }
    }
    if (total > L.maxTotalMutationBytes) {
      throw new Refusal(`total mutation size too large (max ${L.maxTotalMutationBytes} bytes)`);
    }
    const m = this.stats.largest;
    m.checks = Math.max(m.checks, w.checks.length);
    m.mutations = Math.max(m.mutations, w.mutations.length);
    m.bytes = Math.max(m.bytes, total);
    for (const x of w.mutations) {
      m.keyBytes = Math.max(m.keyBytes, bytes(x.key).length);
      m.valueBytes = Math.max(m.valueBytes, bytes(x.value?.data).length);
    }
  }

  /**
   * Applies an `AtomicWrite` (already validated): checks and mutations in one synchronous step
   * on memory, then the file; answers once the file has it.
   */
  async write(w: AtomicWriteMsg): Promise<Record<string, unknown>> {
    const nowMs = Date.now();
    const failed: number[] = [];
    for (const [i, c] of w.checks.entries()) {
      const cur = this.#live(hex(bytes(c.key)), nowMs);
      const want = bytes(c.versionstamp);
      const ok = want.length === 0
        ? cur === null
        : cur !== null && compareBytes(cur.vs, want) === 0;
      if (!ok) failed.push(i);
    }
    if (failed.length > 0) {
      this.stats.checkFailures++;
      return { status: AW_CHECK_FAILURE, versionstamp: new Uint8Array(), failed_checks: failed };
    }
    const version = this.#version + 1n;
    const vs = new Uint8Array(10);
    new DataView(vs.buffer).setBigUint64(0, version);
    // Each mutation's effect, in order (a later one on the same key sees the earlier); a value
    // is validated before memory changes, so a refused sum leaves the store as it was.
    const next = new Map<string, { key: Uint8Array; e: Entry | null; was: Entry | null }>();
    const current = (key: Uint8Array) => {
      const h = hex(key);
      let cur = next.get(h);
      if (!cur) {
        const was = this.#entries.get(h) ?? null;
        cur = { key, e: this.#live(h, nowMs), was };
        next.set(h, cur);
      }
      return cur;
    };
    for (const m of w.mutations) {
      let key = bytes(m.key);
      const t = m.mutation_type;
      const x = num(m.expire_at_ms);
      if (t === M_SET_SUFFIX_VS) {
        // The versionstamp appended as one more key part: a string of 20 hex digits.
        const suffix = new TextEncoder().encode(hex(vs));
        key = new Uint8Array([...key, 0x02, ...suffix, 0x00]);
      }
      const cur = current(key);
      const setTo = (e: number, value: Uint8Array) => {
        cur.e = { key: cur.key, e, value, vs, x, chunks: 0 };
      };
      if (t === M_DELETE) {
        cur.e = null;
      } else if (t === M_SET || t === M_SET_SUFFIX_VS) {
        setTo(m.value!.encoding, bytes(m.value!.data));
      } else {
        const operand = readU64(bytes(m.value!.data));
        if (cur.e === null) setTo(VE_LE64, u64(operand));
        else {
          if (cur.e.e !== VE_LE64) {
            throw new Refusal("sum, min and max need a KvU64 value in the database");
          }
          const old = readU64(cur.e.value);
          const r = t === M_SUM
            ? old + operand
            : t === M_MIN
            ? (old < operand ? old : operand)
            : (old > operand ? old : operand);
          setTo(VE_LE64, u64(r));
        }
      }
    }
    for (const [h, { e }] of next) {
      if (e) e.chunks = e.value.length <= CHUNK ? 0 : Math.ceil(e.value.length / CHUNK);
      this.#put(h, e);
    }
    this.#version = version;
    this.stats.commits++;
    const changes = [...next.values()];
    const disk = this.#disk.then(() => this.#toFile(changes, version, nowMs));
    this.#disk = disk.catch(() => {});
    await disk;
    for (const fn of this.#listeners) fn();
    return { status: AW_SUCCESS, versionstamp: vs, failed_checks: [] };
  }

  /** Writes one commit's changes to the local file, in local operations that fit its limits. */
  async #toFile(
    changes: { key: Uint8Array; e: Entry | null; was: Entry | null }[],
    version: bigint,
    nowMs: number,
  ) {
    let op = this.kv.atomic();
    let n = 0;
    const flush = async () => {
      if (n === 0) return;
      const res = await op.commit();
      if (!res.ok) throw new Error("local commit failed");
      op = this.kv.atomic();
      n = 0;
    };
    const add = async (f: (op: Deno.AtomicOperation) => void, size: number) => {
      if (n >= 400 || size > 300_000) await flush();
      f(op);
      n++;
    };
    for (const { key, e, was } of changes) {
      // Chunks the file held go first (their number may shrink).
      for (let i = 0; i < (was?.chunks ?? 0); i++) await add((op) => op.delete([C, key, i]), 0);
      if (e === null) {
        await add((op) => op.delete([E, key]), 0);
        continue;
      }
      const expireIn = e.x ? { expireIn: Math.max(1, e.x - nowMs) + 60_000 } : undefined;
      const s: Stored = { e: e.e, d: null, chunks: e.chunks, vs: e.vs, x: e.x };
      if (e.chunks === 0) {
        await add((op) => op.set([E, key], { ...s, d: e.value }, expireIn), e.value.length);
      } else {
        for (let i = 0; i < e.chunks; i++) {
          const part = e.value.slice(i * CHUNK, (i + 1) * CHUNK);
          await add((op) => op.set([C, key, i], part, expireIn), part.length);
        }
        await add((op) => op.set([E, key], s, expireIn), 0);
      }
    }
    await add((op) => op.set(META_VERSION, version), 0);
    await flush();
  }

  /** The current entries of `keys` (for watch). */
  getMany(keys: Uint8Array[]) {
    const nowMs = Date.now();
    return Promise.resolve(keys.map((key) => {
      const e = this.#live(hex(key), nowMs);
      return e ? { key, value: e.value, encoding: e.e, versionstamp: e.vs } : null;
    }));
  }
}

type AtomicWriteMsg = {
  checks: { key: Uint8Array; versionstamp: Uint8Array }[];
  mutations: {
    key: Uint8Array;
    value?: { data: Uint8Array; encoding: number };
    mutation_type: number;
    expire_at_ms: unknown;
  }[];
  enqueues: unknown[];
};

export interface KvConnectServer {
  /** http://127.0.0.1:PORT (what `Deno.openKv` takes) */
  url: string;
  port: number;
  /** the access token clients must present (DENO_KV_ACCESS_TOKEN) */
  token: string;
  /** what an app server's environment needs to use this store (INVITO_DB_PATH and the token) */
  appEnv: { INVITO_DB_PATH: string; DENO_KV_ACCESS_TOKEN: string };
  /** the local Deno KV file that holds the data */
  path: string;
  store: KvConnectStore;
  faults: { set(f: Faults): void; get(): Faults; clear(): void };
  stats(): KvConnectStats;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface KvConnectOptions {
  /** local KV file for the data (default: a new temp file, removed on close) */
  path?: string;
  /** port to listen on (default: any free one) */
  port?: number;
  /** default: a random one */
  token?: string;
  faults?: Faults;
  /** metadata lifetime (default 1 hour) */
  metadataTtlMs?: number;
}

/** Starts the server; `await using` closes it. */
export async function startKvConnect(opts: KvConnectOptions = {}): Promise<KvConnectServer> {
  const ownDir = opts.path ? null : await makeDataDir("kv-connect-");
  const path = opts.path ?? join(ownDir!, "data.kv");
  const store = await KvConnectStore.open(path);
  const token = opts.token ?? crypto.randomUUID().replaceAll("-", "");
  const dataToken = crypto.randomUUID().replaceAll("-", "");
  const databaseId = crypto.randomUUID();
  let faults: Faults = { ...opts.faults };
  const ttlMs = opts.metadataTtlMs ?? 3_600_000;

  const ac = new AbortController();

  const text = (status: number, msg: string) =>
    new Response(msg, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
  const proto = (type: protobuf.Type, obj: Record<string, unknown>) =>
    new Response(type.encode(type.fromObject(obj)).finish() as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": "application/x-protobuf" },
    });
  const refuse = (msg: string) => {
    store.stats.refused.push(msg);
    return text(400, msg);
  };
  const touches = (w: AtomicWriteMsg, first: string) => {
    const want = new Uint8Array([0x02, ...new TextEncoder().encode(first), 0x00]);
    return w.mutations.some((m) => {
      const k = bytes(m.key);
      return k.length >= want.length && want.every((b, i) => k[i] === b);
    });
  };
  const take = (
    name:
      | "fail5xx"
      | "dropBeforeCommit"
      | "loseAnswer"
      | "failChecks"
      | "cutReadBody"
      | "cutWriteBody",
    w?: AtomicWriteMsg,
  ) => {
    if (!faults[name]) return false;
    if (w && faults.matchKey !== undefined && !touches(w, faults.matchKey)) return false;
    if (w && faults.matchOnly !== undefined) {
      const only = faults.matchOnly;
      if (!w.mutations.every((m) => only.some((p) => touches({ ...w, mutations: [m] }, p)))) {
        return false;
      }
    }
    faults = { ...faults, [name]: faults[name]! - 1 };
    store.stats.injected[name]++;
    return true;
  };
  /** Cuts the client's connection this request came by (before its answer is sent). */
  const cut = (info: Deno.ServeHandlerInfo<Deno.NetAddr>) => relay.cut(info.remoteAddr.port);
  /**
   * The answer's status, headers and first byte, then the connection cut: the client has an
   * answer it cannot read ("failed to read response body"). For a write, after it was applied
   * or refused: the outcome is in the body the client never reads.
   */
  const cutBody = async (answer: Response, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
    const out = new Uint8Array(await answer.arrayBuffer());
    let sent = false;
    return new Response(
      new ReadableStream({
        async pull(c) {
          if (!sent) {
            sent = true;
            return c.enqueue(out.subarray(0, 1));
          }
          // Time for the first byte to reach the client through the relay: cut sooner, the
          // client never saw an answer and resends the request (not the fault this is).
          await new Promise((r) => setTimeout(r, 50));
          await cut(info);
          c.close();
        },
      }, { highWaterMark: 0 }),
      { headers: answer.headers },
    );
  };
  const latency = async () => {
    const l = faults.latencyMs;
    if (!l) return;
    const ms = typeof l === "number" ? l : l[0] + Math.random() * (l[1] - l[0]);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  };
  const waitUnstalled = async () => {
    while (faults.stallWrites) await new Promise((r) => setTimeout(r, 5));
  };

  const handler = async (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === "/_faults" && req.method === "POST") {
      const f = await req.json() as Faults & { clear?: boolean };
      faults = f.clear ? {} : { ...faults, ...f };
      return Response.json(faults);
    }
    if (path === "/_stats") return Response.json(store.stats);
    if (req.method !== "POST") return text(405, "method not allowed");
    const auth = req.headers.get("authorization") ?? "";

    if (path === "/") {
      if (auth !== `Bearer ${token}`) return text(401, "invalid access token");
      let versions = [1];
      const body = await req.text();
      if (body.trim()) {
        try {
          const j = JSON.parse(body);
          if (!Array.isArray(j.supportedVersions)) throw new Error();
          versions = j.supportedVersions;
        } catch {
          return text(400, "invalid metadata exchange request body");
        }
      }
      const version = Math.max(...versions.filter((v) => PROTOCOL_VERSIONS.includes(v)));
      if (!Number.isFinite(version)) return text(400, "no supported protocol version in common");
      store.stats.metadata++;
      return Response.json({
        version,
        databaseId,
        endpoints: [{
          url: version === 1 ? `${url.origin}/v${version}` : `/v${version}`,
          consistency: "strong",
        }],
        token: dataToken,
        expiresAt: new Date(Date.now() + ttlMs).toISOString(),
      });
    }

    const m = /^\/v([123])\/(snapshot_read|atomic_write|watch)$/.exec(path);
    if (!m) return text(404, "not found");
    if (auth !== `Bearer ${dataToken}`) return text(401, "invalid data path token");
    const version = Number(m[1]);
    const dbHeader = version === 1
      ? req.headers.get("x-transaction-domain-id")
      : req.headers.get("x-denokv-database-id");
    if (dbHeader !== databaseId) return text(400, "unknown database id");
    if (version >= 2 && req.headers.get("x-denokv-version") !== String(version)) {
      return text(400, "x-denokv-version does not match the endpoint");
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await req.arrayBuffer());
    } catch {
      return text(400, "the request body could not be read"); // the client went away
    }
    await latency();
    if (take("fail5xx")) return text(503, "injected: temporarily unavailable");

    try {
      if (m[2] === "snapshot_read") {
        let msg;
        try {
          msg = SnapshotRead.toObject(SnapshotRead.decode(body), { defaults: true, arrays: true });
        } catch (e) {
          return refuse(`invalid SnapshotRead: ${(e as Error).message}`);
        }
        store.stats.reads++;
        const answer = proto(SnapshotReadOutput, await store.read(msg as protobuf.Message));
        return take("cutReadBody") ? cutBody(answer, info) : answer;
      }
      if (m[2] === "atomic_write") {
        let w: AtomicWriteMsg;
        try {
          w = AtomicWrite.toObject(AtomicWrite.decode(body), {
            defaults: true,
            arrays: true,
            longs: Number,
          }) as AtomicWriteMsg;
        } catch (e) {
          return refuse(`invalid AtomicWrite: ${(e as Error).message}`);
        }
        store.validate(w);
        store.stats.writes++;
        await waitUnstalled();
        if (take("dropBeforeCommit", w)) {
          await cut(info);
          return new Response(null, { status: 503 });
        }
        if (w.checks.length > 0 && take("failChecks", w)) {
          return proto(AtomicWriteOutput, {
            status: AW_CHECK_FAILURE,
            versionstamp: new Uint8Array(),
            failed_checks: [0],
          });
        }
        const out = await store.write(w);
        if (out && out.status === AW_SUCCESS && take("loseAnswer", w)) {
          await cut(info);
          return new Response(null, { status: 503 });
        }
        const answer = proto(AtomicWriteOutput, out!);
        return take("cutWriteBody", w) ? cutBody(answer, info) : answer;
      }
      // watch
      let msg: { keys: { key: Uint8Array }[] };
      try {
        msg = Watch.toObject(Watch.decode(body), { defaults: true, arrays: true }) as typeof msg;
      } catch (e) {
        return refuse(`invalid Watch: ${(e as Error).message}`);
      }
      if (msg.keys.length > KV_CONNECT_LIMITS.maxWatchedKeys) {
        return refuse(`too many watched keys (max ${KV_CONNECT_LIMITS.maxWatchedKeys})`);
      }
      store.stats.watches++;
      return watchResponse(store, msg.keys.map((k) => bytes(k.key)), req.signal);
    } catch (e) {
      if (e instanceof Refusal) return refuse(e.message);
      throw e;
    }
  };

  const inner = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    handler,
  );
  const innerPort = inner.addr.port;
  // The relay: clients connect to `port`; each connection is piped byte for byte to the HTTP
  // server on the inner port, so a fault can cut the client's socket (a real network error).
  const relay = await startRelay(innerPort, opts.port ?? 0);
  const port = relay.port;

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await relay.close();
    ac.abort();
    await inner.finished;
    await store.close();
    if (ownDir) await Deno.remove(ownDir, { recursive: true }).catch(() => {});
  };

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    token,
    appEnv: { INVITO_DB_PATH: url, DENO_KV_ACCESS_TOKEN: token },
    path,
    store,
    faults: {
      set: (f) => faults = { ...faults, ...f },
      get: () => faults,
      clear: () => faults = {},
    },
    stats: () => store.stats,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * The TCP relay in front of the HTTP server (kv-connect/relay.py, which says why it is Python):
 * `cut(port)` closes the client whose upstream connection has that local port, and resolves once
 * it is closed.
 */
async function startRelay(innerPort: number, listenPort: number) {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [
      join(import.meta.dirname!, "kv-connect", "relay.py"),
      String(innerPort),
      String(listenPort),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // Its stdout, a line at a time: the port first, then each cut's answer.
  const chunks = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string | null> => {
    while (!buffered.includes("\n")) {
      const r = await chunks.read();
      if (r.done) return null;
      buffered += r.value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  const first = await nextLine();
  const port = Number(first);
  if (!Number.isInteger(port) || port <= 0) {
    child.kill();
    await child.status;
    throw new Error(`the KV Connect relay did not start: ${first ?? "no output"}`);
  }
  const waiting = new Map<string, (() => void)[]>();
  const reading = (async () => {
    for (let line = await nextLine(); line !== null; line = await nextLine()) {
      const done = waiting.get(line);
      waiting.delete(line);
      for (const f of done ?? []) f();
    }
  })();
  const stdin = child.stdin.getWriter();
  const encoder = new TextEncoder();
  return {
    port,
    cut: async (upstreamPort: number) => {
      const line = `cut ${upstreamPort}`;
      const done = new Promise<void>((resolve) =>
        waiting.set(line, [...(waiting.get(line) ?? []), resolve])
      );
      await stdin.write(encoder.encode(line + "\n"));
      await done;
    },
    close: async () => {
      await stdin.close().catch(() => {});
      await child.status;
      await reading;
    },
  };
}

/** The watch stream: the current entries at once, then whatever changed after each commit. */
function watchResponse(store: KvConnectStore, keys: Uint8Array[], signal: AbortSignal) {
  let last: (string | null)[] = keys.map(() => undefined as unknown as string);
  let unsubscribe = () => {};
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const frame = (msg: Uint8Array) => {
    const out = new Uint8Array(4 + msg.length);
    new DataView(out.buffer).setUint32(0, msg.length, true);
    out.set(msg, 4);
    return out;
  };
  const stream = new ReadableStream<Uint8Array>({
    start(ctrl) {
      let busy = false, again = false;
      const push = async () => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            const entries = await store.getMany(keys);
            const now = entries.map((e) => e ? hex(e.versionstamp) : null);
            const out = entries.map((e, i) =>
              now[i] !== last[i]
                ? (e ? { changed: true, entry_if_changed: e } : { changed: true })
                : { changed: false }
            );
            if (out.some((o) => o.changed)) {
              last = now;
              ctrl.enqueue(frame(
                WatchOutput.encode(WatchOutput.fromObject({ status: SR_SUCCESS, keys: out }))
                  .finish(),
              ));
            }
          } while (again);
        } catch {
          // the stream ended
        } finally {
          busy = false;
        }
      };
      unsubscribe = store.onCommit(() => void push());
      keepAlive = setInterval(() => {
        try {
          ctrl.enqueue(new Uint8Array(4));
        } catch {
          // closed
        }
      }, 5_000);
      signal.addEventListener("abort", () => {
        unsubscribe();
        clearInterval(keepAlive);
      });
      void push();
    },
    cancel() {
      unsubscribe();
      clearInterval(keepAlive);
    },
  });
  return new Response(stream, { headers: { "content-type": "application/octet-stream" } });
}

if (import.meta.main) {
  // `deno run -A tests/support/kv-connect-server.ts [--port N] [--path FILE] [--token T]
  //  [--latency MS|MIN-MAX]`: runs until killed; prints one line `kv-connect: URL TOKEN PATH`.
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const lat = arg("latency");
  const latencyMs: Faults["latencyMs"] = lat === undefined
    ? undefined
    : lat.includes("-")
    ? lat.split("-").map(Number) as [number, number]
    : Number(lat);
  const server = await startKvConnect({
    port: arg("port") ? Number(arg("port")) : undefined,
    path: arg("path"),
    token: arg("token") ?? Deno.env.get("DENO_KV_ACCESS_TOKEN"),
    faults: latencyMs === undefined ? {} : { latencyMs },
  });
  console.log(`kv-connect: ${server.url} ${server.token} ${server.path}`);
  const stop = async () => {
    await server.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
