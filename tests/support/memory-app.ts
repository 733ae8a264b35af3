/**
 * An App over an in-memory KV with a settable clock and a mailer that records instead of
 * sending, for store/service/job tests. Two apps may share one KV to act as two processes.
 */
import { type App, buildApp } from "../../src/lib/server/app.ts";
import type { Mailer, OutgoingMail, SendResult } from "../../src/lib/server/integrations/mail.ts";
import { insertUser } from "../../src/lib/server/store/users.ts";
import { insertEventType } from "../../src/lib/server/store/event-types.ts";
import { getAvailability, putAvailability } from "../../src/lib/server/store/availability.ts";
import { newId } from "../../src/lib/server/store/users.ts";
import type { EventTypeRecord, UserRecord } from "../../src/lib/server/domain/model/records.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";
import { guardKv } from "./kv-guard.ts";
import { forgetCounts } from "../../src/lib/server/services/count-writer.ts";
import { makeDataDir } from "./data-dir.ts";

export type RecordingMailer = Mailer & { sent: OutgoingMail[]; failWith: SendResult | null };

export function recordingMailer(): RecordingMailer {
  const m: RecordingMailer = {
    mode: "smtp",
    sent: [],
    failWith: null,
    send(mail) {
      if (m.failWith) return Promise.resolve(m.failWith);
      m.sent.push(mail);
      return Promise.resolve({ ok: true, messageId: mail.messageId ?? String(m.sent.length) });
    },
  };
  return m;
}

export type TestApp = App & { mailer: RecordingMailer; clock: { ms: number }; close(): void };

/**
 * The apps opened on one store, by the store the test opened (a second app on `kv` acts as a
 * second process). When the test closes that store, by `close()` or by closing a store it
 * opened itself, every one of those apps' counts still waiting for their paced write
 * (services/count-writer.ts) goes with it, whichever store the app counted into (a test may
 * put a wrapper in place of `app.kv`): a test's end does not settle them, and each such count
 * warned "count(s) dropped: Bad resource ID" into the suite's log (hundreds a run; a test
 * listening for warnings caught another's).
 */
const appsOf = new WeakMap<Deno.Kv, App[]>();
const ownerOf = new WeakMap<Deno.Kv, Deno.Kv>();

function forgetCountsOnClose(owner: Deno.Kv, app: App): void {
  const apps = appsOf.get(owner);
  if (apps) {
    apps.push(app);
    return;
  }
  appsOf.set(owner, [app]);
  const close = owner.close.bind(owner);
  owner.close = () => {
    for (const a of appsOf.get(owner) ?? []) forgetCounts(a);
    close();
  };
}

/**
 * The KV is wrapped by tests/support/kv-guard.ts (remote-KV limits: ≤ 10 checks and ≤ 1,000
 * mutations per atomic operation, no queues) unless `guard: false`.
 */
export async function memoryApp(
  opts: {
    kv?: Deno.Kv;
    /** A second connection to the same store for the engine's reads (App.readKv). */
    readKv?: Deno.Kv;
    nowIso?: string;
    env?: Record<string, string>;
    guard?: boolean;
  } = {},
): Promise<TestApp> {
  const raw = opts.kv ?? await Deno.openKv(":memory:");
  const kv = opts.guard === false ? raw : guardKv(raw);
  const owner = ownerOf.get(raw) ?? raw;
  const clock = { ms: Date.parse(opts.nowIso ?? "2026-11-20T08:00:00Z") };
  const mailer = recordingMailer();
  const app = await buildApp({
    INVITO_DB_PATH: ":memory:",
    INVITO_SESSION_SECRET: "test-secret-".padEnd(48, "x"),
    INVITO_BASE_URL: "http://invito.test",
    INVITO_DISABLE_CRON: "true",
    ...opts.env,
  }, { kv, readKv: opts.readKv, mailer, now: () => clock.ms });
  // An app handed this app's store (`kv: app.kv`, a second process) is on the same owner.
  ownerOf.set(app.kv, owner);
  forgetCountsOnClose(owner, app);
  return Object.assign(app, {
    mailer,
    clock,
    close: () => (opts.kv ? undefined : raw.close()),
  }) as TestApp;
}

/**
 * A data folder for the built server, filled first through the app's own services: `app` runs
 * on `kv`, the folder's store, which the caller closes before `startApp({ dataDir })` opens it
 * (a local KV file is one process's at a time).
 *
 * ```ts
 * const { dataDir, kv, app } = await seedStore("invito-seats-");
 * const host = await createHost(app, { username: "seats" });
 * kv.close();
 * await using server = await startApp({ dataDir });
 * ```
 */
export async function seedStore(
  prefix: string,
): Promise<{ dataDir: string; dbPath: string; kv: Deno.Kv; app: App }> {
  const dataDir = await makeDataDir(prefix);
  const dbPath = `${dataDir}/invito.kv`;
  const kv = await Deno.openKv(dbPath);
  const app = await appOnStore(kv, {
    INVITO_DB_PATH: dbPath,
    INVITO_SESSION_SECRET: "seed-secret-".padEnd(48, "x"),
    INVITO_DISABLE_CRON: "true",
  }, { mailer: recordingMailer() });
  return { dataDir, dbPath, kv, app };
}

/**
 * An app on a store the test opened and closes itself (a seed, or a worker finishing what a
 * killed server left): closing the store forgets the app's waiting counts, as a memory app's
 * store does. Without `mailer` the app mails as its env says.
 */
export async function appOnStore(
  kv: Deno.Kv,
  env: Record<string, string>,
  deps: { mailer?: Mailer } = {},
): Promise<App> {
  const app = await buildApp(env, { kv, ...deps });
  forgetCountsOnClose(kv, app);
  return app;
}

export const WORKDAYS: WeeklyRules = {
  1: [{ start: "09:00", end: "17:00" }],
  2: [{ start: "09:00", end: "17:00" }],
  3: [{ start: "09:00", end: "17:00" }],
  4: [{ start: "09:00", end: "17:00" }],
  5: [{ start: "09:00", end: "17:00" }],
  6: [],
  7: [],
};

export async function createHost(
  app: App,
  opts: { username?: string; timeZone?: string; weekly?: WeeklyRules; email?: string } = {},
): Promise<UserRecord> {
  const username = opts.username ?? "host";
  const res = await insertUser(app.kv, {
    email: opts.email ?? `${username}@example.test`,
    name: `Host ${username}`,
    wantedUsername: username,
    timeZone: opts.timeZone ?? "Europe/Berlin",
    emailVerifiedMs: null,
    image: null,
  }, app.now());
  if (!res.ok) throw new Error("host exists");
  if (opts.weekly) {
    const a = await getAvailability(app.kv, res.user.id, app.now());
    await putAvailability(app.kv, { ...a, weekly: opts.weekly });
  }
  return res.user;
}

export async function createEventType(
  app: App,
  host: UserRecord,
  opts: Partial<EventTypeRecord> & { slug: string },
): Promise<EventTypeRecord> {
  const rec: EventTypeRecord = {
    v: 1,
    id: newId(app.now()),
    userId: host.id,
    title: opts.slug,
    description: "",
    durationMin: 30,
    requiresConfirmation: true,
    bookingWindowDays: 60,
    color: "#2549ea",
    active: true,
    confirmedMessage: "",
    rejectedMessage: "",
    createdAtMs: app.now(),
    updatedAtMs: app.now(),
    ...opts,
  };
  const res = await insertEventType(app.kv, rec);
  if (!res.ok) throw new Error("slug taken");
  return rec;
}

/** Guest `i` as the booking form names them: "Guest i", gi@example.test, no note. */
export const guestOf = (i: number | string, timeZone = "UTC") => ({
  name: `Guest ${i}`,
  email: `g${i}@example.test`,
  note: "",
  timeZone,
});

/** A guest's booking form as the service takes it: guest `i` asks for `start` of `slug`. */
export const guestInput = (
  i: number | string,
  start: string,
  slug = "call",
  username = "ann",
  timeZone = "UTC",
) => ({ username, slug, start, ...guestOf(i, timeZone) });
