/**
 * The history check (tests/reliability/history.test.ts runs it on one process,
 * tests/scale/cluster-history.test.ts on three sharing a remote KV). History check under contention: concurrent guests and a host book, confirm, reject, cancel,
 * reschedule and let requests expire against the running server, over a small slot space, for a
 * bounded time. Every request and answer is logged; afterwards the store is read and checked
 * against the log: no two bookings of the host ever held overlapping time, every success exists,
 * no booking exists without a request that made it, and every status change was a legal
 * transition made by exactly one successful request (or by the hold running out).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { AppHandle } from "../support/app.ts";
import type { SmtpHandle } from "../support/smtp.ts";
import { buildApp } from "../../src/lib/server/app.ts";
import { expireHolds } from "../../src/lib/server/jobs/expire-holds.ts";
import { tokenBookingId } from "../../src/lib/server/services/booking-links.ts";
import { recordingMailer } from "../support/memory-app.ts";
import type { BookingRecord } from "../../src/lib/server/domain/model/records.ts";
import {
  bookingsOf,
  historyProblems,
  type LoggedRequest,
  mailRef,
  overlapProblems,
  pageSlots,
  readStore,
  RequestLog,
  signIn,
  storeProblems,
} from "./harness.ts";
import { prng } from "../../bench/lib.ts";

/** The servers' hold (INVITO_BOOKING_TTL) unless the target says otherwise. */
const TTL_MS = 2_000;
const RUN_MS = 8_000;
/** The run goes on past RUN_MS, up to this, while some kind of change has succeeded too rarely. */
const MAX_RUN_MS = 25_000;
const MIN_EACH = 3;
const WORKERS = 8;

export type HistoryTarget = {
  /** where requests go (one process, or a proxy in front of several) */
  base: string;
  /** the process whose sign-in the host uses (its base is replaced by `base`) */
  signInVia: AppHandle;
  smtp: SmtpHandle;
  /** the store: a KV file, or a remote KV URL (with DENO_KV_ACCESS_TOKEN set) */
  dbPath: string;
  /** the servers' INVITO_* env (for the expiry job run afterwards) */
  env: Record<string, string>;
  /** stops every server, keeping the data */
  stop(): Promise<void>;
  /**
   * The servers' hold in ms, as their INVITO_BOOKING_TTL says (default 2 s). A cluster on a
   * slower KV needs longer: a host's reject must land before the hold lapses.
   */
  ttlMs?: number;
  /** starts injecting faults during the run; returns the function that stops them */
  faults?: () => () => void;
};

/** Runs the history check against `t`; returns what the run produced. */
export async function historyCheck(t: HistoryTarget): Promise<Record<string, number>> {
  const TTL = t.ttlMs ?? TTL_MS;
  const base = t.base;
  const host = await signIn({ ...t.signInVia, baseUrl: base }, "demo@invito.example", t.smtp);
  const smtp = t.smtp;

  // A small slot space: six intro-call slots (30 min, need confirmation) and the quick-chat
  // slots (15 min, confirmed at once) inside the first of them, so the two kinds overlap.
  const intro = (await pageSlots(base, "demo", "intro-call")).slice(0, 6);
  assert.equal(intro.length, 6, "the demo host offers slots");
  const date = intro[0].slice(0, 10);
  const quick = (await pageSlots(base, "demo", "quick-chat", date)).filter((s) =>
    Date.parse(s) >= Date.parse(intro[0]) && Date.parse(s) < Date.parse(intro[0]) + 30 * 60_000
  );
  assert.equal(
    quick.length,
    2,
    `quick-chat slots inside the first intro slot: ${quick.join(", ")}`,
  );
  const space: Record<string, string[]> = { "intro-call": intro, "quick-chat": quick };

  const log = new RequestLog();
  /** guest token → the slug it was booked under */
  const guestTokens = new Map<string, string>();
  /** confirm/reject links from the host's request mails, with the booking and when the mail came */
  const decided = new Set<string>();
  const links = () => {
    const confirm: { path: string; id: string; atMs: number }[] = [];
    const reject: { path: string; id: string; atMs: number }[] = [];
    const ids: string[] = [];
    for (const m of smtp.mails) {
      const ref = mailRef(m.messageId);
      if (ref) ids.push(ref.bookingId);
      if (ref?.kind !== "host_request") continue;
      const c = /https?:\/\/\S+\/confirm\b/.exec(m.text)?.[0];
      const r = /https?:\/\/\S+\/reject\b/.exec(m.text)?.[0];
      const atMs = m.receivedAt.getTime();
      if (c) confirm.push({ path: new URL(c).pathname, id: ref.bookingId, atMs });
      if (r) reject.push({ path: new URL(r).pathname, id: ref.bookingId, atMs });
    }
    return { confirm, reject, ids };
  };
  /** Mostly a request still open (its hold is 2 s), sometimes any (to exercise the refusals). */
  const openLink = (all: { path: string; id: string; atMs: number }[], random: () => number) => {
    const mine = all.filter((l) => answered(l.id));
    const fresh = mine.filter((l) => !decided.has(l.id) && Date.now() - l.atMs < TTL - 300);
    const from = fresh.length && random() < 0.8 ? fresh : mine;
    return from[Math.floor(random() * from.length)];
  };

  /**
   * The host never answers or cancels half of the bookings (by id, on every channel) and half of
   * the guests never cancel or move theirs, so about a quarter of the requests expire.
   */
  const answered = (id: string) => id.charCodeAt(25) % 2 === 0;
  // Guests act on about half the bookings, picked by their link's first HMAC character (the
  // token's first character before ADR 054; since then a token starts with its booking's id,
  // whose first characters every booking of a run shares: all would be picked, and guests would
  // race the host on the bookings it answers, leaving a run without a guest's cancellation).
  const changeable = () =>
    [...guestTokens.keys()].filter((t) => t.charCodeAt(t.length - 43) % 2 === 0);
  /**
   * Tokens a guest knows are finished (cancelled, or moved away by their own reschedule) and
   * when each token was issued: a guest acts mostly on a booking made moments ago, which is
   * still live unless the host got to it first. Picking among every token ever issued made
   * successful guest cancellations rare enough that a run could have none.
   */
  const finished = new Set<string>();
  const issuedAt = new Map<string, number>();
  const guestPick = (random: () => number) => {
    const open = changeable().filter((t) => !finished.has(t));
    const recent = open.filter((t) => Date.now() - issuedAt.get(t)! < TTL - 300);
    const from = recent.length && random() < 0.8 ? recent : open;
    return from[Math.floor(random() * from.length)];
  };

  const stopFaults = t.faults?.() ?? (() => {});
  let n = 0;
  const deadline = Date.now() + RUN_MS;
  const hardDeadline = Date.now() + MAX_RUN_MS;
  // Random scheduling can starve a path in a short run; keep going until each kind of change has
  // succeeded a few times, so the checks below always have every transition to look at.
  type Kind = [string[], number];
  const confirmed: Kind = [["confirm", "host_confirm"], 200];
  const rejected: Kind = [["reject", "host_reject"], 200];
  const kinds: Kind[] = [
    confirmed,
    rejected,
    [["host_cancel"], 200],
    [["guest_cancel"], 200],
    [["reschedule"], 303],
  ];
  const short = ([ops, status]: Kind) =>
    log.entries.filter((r) => ops.includes(r.op) && r.status === status).length < MIN_EACH;
  const starved = () => kinds.some(short);
  const running = () => Date.now() < deadline || (Date.now() < hardDeadline && starved());
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    const random = prng(1_000 + w);
    const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(random() * xs.length)];
    while (running()) {
      const roll = random();
      const i = n++;
      if (roll < 0.35) {
        const slug = random() < 0.8 ? "intro-call" : "quick-chat";
        const r = await log.send("book", base, `/calendar/demo/${slug}?/book`, {
          form: {
            name: `Guest ${i}`,
            email: `g${i % 12}@example.test`,
            note: `#${i}`,
            start: pick(space[slug])!,
            tz: "UTC",
          },
        });
        if (r.status === 303 && r.location) {
          const token = new URL(r.location, base).pathname.split("/")[2];
          guestTokens.set(token, slug);
          issuedAt.set(token, Date.now());
        }
      } else if (roll < 0.5) {
        // The host answers from the dashboard (mail under load can arrive after a 2-second hold),
        // and leaves half of the requests alone so that they can expire.
        const page = await host.get("/dashboard/bookings?status=pending");
        const ids = [...page.body.matchAll(/data-booking="([0-9A-Z]{26})"/g)].map((m) => m[1]);
        const id = pick(ids.filter(answered));
        if (id) {
          // The host's answers land at once, where a mail's link can come after its request
          // lapsed: while one kind of answer has too few, the host gives that one (a loaded
          // box's run once ended with 13 reject links refused and one reject from here).
          const confirmShort = short(confirmed), rejectShort = short(rejected);
          const action = confirmShort !== rejectShort
            ? (rejectShort ? "reject" : "confirm")
            : random() < 0.5
            ? "confirm"
            : "reject";
          await log.send(`host_${action}`, base, `/dashboard/bookings?/${action}`, {
            form: { id },
            client: host,
            bookingId: id,
          });
        }
      } else if (roll < 0.6) {
        const link = openLink(links().confirm, random);
        if (link && (await log.send("confirm", base, link.path, { form: {} })).status === 200) {
          decided.add(link.id);
        }
      } else if (roll < 0.65) {
        const link = openLink(links().reject, random);
        if (link && (await log.send("reject", base, link.path, { form: {} })).status === 200) {
          decided.add(link.id);
        }
      } else if (roll < 0.72) {
        // Mostly a live booking from the dashboard, sometimes any booking a mail named.
        const page = random() < 0.8
          ? await host.get(
            `/dashboard/bookings?status=${random() < 0.7 ? "confirmed" : "pending"}`,
          )
          : null;
        const listed = page
          ? [...page.body.matchAll(/data-booking="([0-9A-Z]{26})"/g)].map((m) => m[1])
          : links().ids;
        const id = pick(listed.filter(answered));
        if (id) {
          await log.send("host_cancel", base, "/dashboard/bookings?/cancel", {
            form: { id, reason: "host" },
            client: host,
            bookingId: id,
          });
        }
      } else if (roll < 0.77) {
        const token = guestPick(random);
        if (token) {
          await log.send("guest_cancel", base, `/booking/${token}/cancel`, {
            form: { reason: "guest" },
          });
          // Cancelled now, or already over (409): either way nothing more to do with it.
          finished.add(token);
        }
      } else if (roll < 0.88) {
        // As a guest does: a time their reschedule page offers (their booking's day, within the
        // test's space). Picked blind, nine in ten moves met a taken time or a booking already
        // over, and a run could end with none made (seen: 0 of 28). Up to three of the guests'
        // bookings are looked at; with none offering a time, a blind pick (refused, mostly).
        let token: string | undefined;
        let start: string | undefined;
        for (let look = 0; look < 3 && !start; look++) {
          token = guestPick(random);
          if (!token) break;
          const page = await fetch(`${base}/booking/${token}/reschedule?tz=UTC`);
          const offered = page.ok
            ? [...(await page.text()).matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1])
            : (await page.body?.cancel(), []);
          start = pick(space[guestTokens.get(token)!].filter((s) => offered.includes(s)));
        }
        if (!token) continue;
        const slug = guestTokens.get(token)!;
        const r = await log.send("reschedule", base, `/booking/${token}/reschedule`, {
          form: { start: start ?? pick(space[slug])! },
        });
        if (r.status === 303 && r.location) {
          finished.add(token);
          const moved = new URL(r.location, base).pathname.split("/")[2];
          guestTokens.set(moved, slug);
          issuedAt.set(moved, Date.now());
        }
      } else {
        const token = pick([...guestTokens.keys()]);
        if (token) await log.send("view", base, `/booking/${token}`);
      }
    }
  }));

  stopFaults();
  await t.stop();
  // Let the expiry job run over what the run left (it runs each minute in the server).
  const kv = await Deno.openKv(t.dbPath);
  try {
    const job = await buildApp({ ...t.env, INVITO_DISABLE_CRON: "true" }, {
      kv,
      mailer: recordingMailer(),
    });
    await expireHolds(job, Date.now());
  } finally {
    kv.close();
  }
  const store = await readStore(t.dbPath);
  const outDir = await Deno.makeTempDir({ prefix: "invito-history-" });
  const logFile = await log.dump(join(outDir, "requests.jsonl"));
  // Kept for a failing run to be examined: the request log, the store, the problems.
  await Deno.writeTextFile(
    join(outDir, "store.jsonl"),
    store.map((e) =>
      JSON.stringify(
        { key: e.key, value: e.value },
        (_k, v) => (typeof v === "bigint" ? `${v}n` : v), // insights counters are Deno.KvU64
      )
    ).join("\n") + "\n",
  );
  const tell = (what: string, problems: string[]) => {
    Deno.writeTextFileSync(join(outDir, "problems.txt"), problems.join("\n") + "\n");
    return `${what}:\n  ${problems.slice(0, 20).join("\n  ")}${
      problems.length > 20 ? `\n  … ${problems.length - 20} more` : ""
    }\nrequest log and store: ${outDir}`;
  };

  // Resolve every token the run used to its booking (a token names it: ADR 054).
  const tokenOf = (
    path: string | null,
  ) => (path ? new URL(path, base).pathname.split("/")[2] ?? null : null);
  const lookup = (token: string | null) => (token ? tokenBookingId(token) : null);
  // `target`: the booking a request acts on; `made`: the booking a successful book/reschedule created.
  const resolved = log.entries.map((r) => ({
    r,
    target: r.bookingId ?? (r.op === "book" ? null : lookup(tokenOf(r.path))),
    made: (r.op === "book" || r.op === "reschedule") && r.status === 303
      ? lookup(tokenOf(r.location))
      : null,
  }));

  const statuses = new Map<string, number>();
  for (const r of log.entries) {
    statuses.set(
      `${r.op} ${r.status ?? r.error}`,
      (statuses.get(`${r.op} ${r.status ?? r.error}`) ?? 0) + 1,
    );
  }
  const summary = JSON.stringify(Object.fromEntries(statuses));
  const broken = log.entries.filter((r) => r.status === null || r.status >= 500);
  assert.deepEqual(
    broken.map((r) => `${r.op} ${r.path} → ${r.status ?? r.error}`),
    [],
    `no 5xx and no broken connections\n${logFile}`,
  );

  const bookings = bookingsOf(store);
  const byId = new Map(bookings.map((b) => [b.id, b]));
  const nowMs = Date.now();
  assert.deepEqual(
    storeProblems(store, { nowMs, ttlMs: TTL }),
    [],
    tell("store invariants", storeProblems(store, { nowMs, ttlMs: TTL })),
  );

  // Every success made exactly one booking; every booking came from one success.
  const made = resolved.filter(({ r }) =>
    (r.op === "book" || r.op === "reschedule") && r.status === 303
  );
  const madeProblems: string[] = [];
  const madeBy = new Map<string, LoggedRequest>();
  for (const { r, made: id } of made) {
    const b = id ? byId.get(id) : undefined;
    if (!b) {
      madeProblems.push(`request #${r.n} (${r.op}) succeeded but its booking does not exist`);
      continue;
    }
    if (madeBy.has(b.id)) {
      madeProblems.push(
        `booking ${b.id} claimed by requests #${madeBy.get(b.id)!.n} and #${r.n}`,
      );
    }
    madeBy.set(b.id, r);
    if (b.startMs !== Date.parse(r.form.start)) {
      madeProblems.push(
        `request #${r.n} asked for ${r.form.start}, booking ${b.id} is at ${
          new Date(b.startMs).toISOString()
        }`,
      );
    }
    if (r.op === "book" && b.guestEmail !== r.form.email) {
      madeProblems.push(
        `request #${r.n} was ${r.form.email}, booking ${b.id} is ${b.guestEmail}`,
      );
    }
    if (b.createdAtMs < r.sentMs - 1 || b.createdAtMs > r.receivedMs! + 1) {
      madeProblems.push(
        `booking ${b.id} made at ${b.createdAtMs}, outside its request #${r.n} [${r.sentMs}, ${r.receivedMs}]`,
      );
    }
  }
  for (const b of bookings) {
    if (!madeBy.has(b.id)) {
      madeProblems.push(`booking ${b.id} exists without a successful request`);
    }
  }
  assert.deepEqual(madeProblems, [], tell("successes and bookings", madeProblems));

  // Every transition after creation was made by exactly one successful request, or by the clock.
  const acts = new Map<string, LoggedRequest[]>();
  const success = (r: LoggedRequest) =>
    r.status === 200 || (r.op === "reschedule" && r.status === 303);
  for (const { r, target: id } of resolved) {
    if (!id || !success(r) || r.op === "book" || r.op === "view") continue;
    acts.set(id, [...(acts.get(id) ?? []), r]);
  }
  const transitionProblems: string[] = [];
  for (const b of bookings) {
    // Requests overlap, so their send order is not the commit order: each transition must be
    // matched by one successful request of its kind that was in flight at the transition's
    // instant, and no successful request may be left without a transition.
    const unused = [...(acts.get(b.id) ?? [])];
    for (const h of b.history.slice(1)) {
      if (h.by === "system") continue;
      const ops = h.status === "CONFIRMED"
        ? ["confirm", "host_confirm"]
        : h.status === "REJECTED"
        ? ["reject", "host_reject"]
        : b.endReason === "rescheduled"
        ? ["reschedule"]
        : [h.by === "host" ? "host_cancel" : "guest_cancel"];
      const i = unused.findIndex((r) =>
        ops.includes(r.op) && r.sentMs - 1 <= h.atMs && h.atMs <= r.receivedMs! + 1
      );
      if (i < 0) {
        transitionProblems.push(
          `${b.id}: ${h.status} by ${h.by} at ${h.atMs} has no successful ${
            ops.join("/")
          } request in flight then`,
        );
      } else unused.splice(i, 1);
    }
    for (const r of unused) {
      transitionProblems.push(
        `${b.id}: request #${r.n} (${r.op}) succeeded without a transition`,
      );
    }
    transitionProblems.push(...historyProblems(b, TTL));
  }
  assert.deepEqual(transitionProblems, [], tell("transitions", transitionProblems));

  // Never two bookings holding overlapping time at once.
  const releaseSent = (id: string) => {
    const rs = (acts.get(id) ?? []).filter((r) => r.op !== "confirm" && r.op !== "host_confirm");
    return rs.length ? Math.min(...rs.map((r) => r.sentMs)) : null;
  };
  const overlaps = overlapProblems(bookings, TTL, {
    actionSentMs: releaseSent,
    bookedReceivedMs: (id) => madeBy.get(id)?.receivedMs ?? null,
  });
  assert.deepEqual(overlaps, [], tell("overlaps", overlaps));

  // The run did exercise every path (a run that only collected 409s would prove little).
  const ended = (reason: string) =>
    bookings.filter((b: BookingRecord) => b.endReason === reason).length;
  const seen = {
    bookings: bookings.length,
    confirmed:
      bookings.filter((b) => b.history.some((h, i) => i > 0 && h.status === "CONFIRMED")).length,
    rejected: ended("rejected"),
    expired: ended("expired"),
    cancelledByHost: ended("cancelled_by_host"),
    cancelledByGuest: ended("cancelled_by_guest"),
    rescheduled: ended("rescheduled"),
    refused: log.entries.filter((r) => r.status === 409).length,
  };
  for (const [k, v] of Object.entries(seen)) {
    assert.ok(
      v > 0,
      `the run produced no ${k}: ${JSON.stringify(seen)} ${summary}`,
    );
  }
  await Deno.remove(outDir, { recursive: true });
  return seen;
}
