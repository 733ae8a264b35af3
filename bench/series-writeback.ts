/**
 * How long a 52-date series' confirm takes to reach the host's calendar (ADR 048): a real
 * Radicale, reached directly and through a proxy that adds a round trip's latency to every
 * request (a calendar on the internet, not on the same box), the outbox drained as the server
 * does. Prints, per latency, when the last of the 52 events was written and when every job of
 * the press (mails and webhooks too) was done; no target (a series' writes used to run one at a
 * time, now a few of its dates at once: compare runs before and after).
 *
 *   node_modules/.bin/deno run -A bench/series-writeback.ts [latencyMs ...]   (default: 0 50)
 */
import { startRadicale } from "../tests/support/radicale.ts";
import { createEventType, createHost, memoryApp, WORKDAYS } from "../tests/support/memory-app.ts";
import { delay } from "../tests/support/wait.ts";
import { bookSlot } from "../src/lib/server/services/book-slot.ts";
import { decideBooking } from "../src/lib/server/services/decide-booking.ts";
import { deliverOutbox, performers } from "../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../src/lib/server/jobs/writeback.ts";
import { listSeriesBookings } from "../src/lib/server/store/bookings.ts";
import { getBookingWritebacks } from "../src/lib/server/store/writebacks.ts";
import { addCalendarAccount } from "../src/lib/server/services/calendar-accounts.ts";

const DATES = 52;
registerWriteback();
// When the last calendar write ended: the series is whole in the host's calendar from then.
const write = performers.writeback!;
let lastWriteAt = 0;
performers.writeback = async (app, job, nowMs) => {
  try {
    return await write(app, job, nowMs);
  } finally {
    lastWriteAt = performance.now();
  }
};

/** A proxy to `target` that holds every request `ms` before passing it on. */
function slowProxy(target: string, ms: number) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    await delay(ms);
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete("accept-encoding"); // fetch would unpack a packed answer under its header
    const res = await fetch(new URL(url.pathname + url.search, target), {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
    });
    const out = new Headers(res.headers);
    out.delete("content-length"); // the body is streamed on
    return new Response(res.body, { status: res.status, headers: out });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

async function once(
  latencyMs: number,
): Promise<{ calendarMs: number; ms: number; puts: number }> {
  const dav = await startRadicale();
  const proxy = slowProxy(dav.url, latencyMs);
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" },
  });
  try {
    await dav.mkcalendar("work", "Work");
    const host = await createHost(app, { weekly: WORKDAYS, timeZone: "Europe/Berlin" });
    await createEventType(app, host, {
      slug: "weekly",
      durationMin: 60,
      requiresConfirmation: true,
      series: { everyWeeks: 1, count: DATES, freeOnly: false },
    });
    const res = await bookSlot(app, {
      username: "host",
      slug: "weekly",
      start: "2026-11-23T13:00:00Z",
      name: "Ann",
      email: "ann@example.test",
      note: "",
      timeZone: "Europe/Berlin",
    });
    if (!res.ok) throw new Error(JSON.stringify(res));
    await deliverOutbox(app, app.now());
    // Connected after booking: its busy times are read a few months ahead only.
    const added = await addCalendarAccount(app, host, {
      serverUrl: latencyMs ? proxy.url : dav.url,
      username: dav.username,
      password: dav.password,
    });
    if (!added.ok) throw new Error(added.message);
    const seriesId = (await app.kv.get<{ series: { id: string } }>(["booking", res.bookingId]))
      .value!.series.id;
    const [first] = await listSeriesBookings(app.kv, host.id, seriesId);
    const pressed = await decideBooking(app, first.id, "confirm", "host", { hostId: host.id });
    if (!pressed.ok) throw new Error(JSON.stringify(pressed));
    const t0 = performance.now();
    await deliverOutbox(app, app.now());
    const ms = performance.now() - t0;
    const calendarMs = lastWriteAt - t0;
    const dates = await listSeriesBookings(app.kv, host.id, seriesId);
    const puts = (await getBookingWritebacks(app.kv, dates.map((d) => d.id))).size;
    return { calendarMs, ms, puts };
  } finally {
    app.close();
    await proxy.close();
    await dav.stop();
  }
}

const latencies = Deno.args.length ? Deno.args.map(Number) : [0, 50];
const median = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
for (const latency of latencies) {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await once(latency));
  console.log(
    `52-date confirm → CalDAV, +${latency} ms per request (median of ${runs.length}): ` +
      `all ${runs[0].puts} events written after ${median(runs.map((r) => r.calendarMs))} ms, ` +
      `every job (mails, webhooks) done after ${median(runs.map((r) => r.ms))} ms`,
  );
}
