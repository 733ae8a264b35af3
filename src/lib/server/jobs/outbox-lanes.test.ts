import assert from "node:assert/strict";
import { lanesOf, runLane, semaphore } from "./outbox-lanes.ts";
import { newOutboxRecord } from "../store/outbox.ts";
import type { MailKind, OutboxPayload, OutboxRecord } from "../domain/model/records.ts";

const T0 = Date.parse("2026-12-02T10:00:00Z");

/** Due entries in the given order, as listDue returns them. */
const entries = (payloads: OutboxPayload[]): Deno.KvEntry<OutboxRecord>[] =>
  payloads.map((p, i) => ({
    key: ["outbox", i],
    value: newOutboxRecord(p, T0 + i),
    versionstamp: String(i).padStart(20, "0"),
  }));

const mail = (mail: MailKind, readers?: string, bookingId = "b1"): OutboxPayload => ({
  kind: "booking_mail",
  mail,
  bookingId,
  ...(readers ? { readers } : {}),
});

/** Runs a lane with jobs that each take a few turns of the event loop; records what overlapped. */
async function drain(payloads: OutboxPayload[]) {
  const lanes = lanesOf(entries(payloads));
  assert.equal(lanes.length, 1, "one booking: one lane");
  const names = (e: Deno.KvEntry<OutboxRecord>) => {
    const p = e.value.payload;
    return p.kind === "booking_mail" ? `${p.mail} ${p.readers ?? "-"}` : p.kind;
  };
  const events: string[] = [];
  const running: string[] = [];
  let peak = 0;
  const overlaps: string[][] = [];
  /** A reader with two mails in flight at once. */
  const twice: string[] = [];
  await runLane(
    lanes[0],
    async (e) => {
      const name = names(e);
      if (running.includes(name)) twice.push(name);
      running.push(name);
      peak = Math.max(peak, running.length);
      if (running.length > 1) overlaps.push([...running].sort());
      events.push(`start ${name}`);
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
      events.push(`end ${name}`);
      running.splice(running.indexOf(name), 1);
    },
    () => true,
    semaphore(4),
  );
  return { events, peak, overlaps, twice };
}

Deno.test("runLane: a booking's mails of one kind to different readers go out up to four at once, and what follows waits for all of them", async () => {
  const readers = ["r1", "r2", "r3", "r4", "r5", "r6"];
  const { events, peak } = await drain([
    mail("guest_confirmed"),
    ...readers.map((r) => mail("guests_invited", r)),
    mail("host_booked"),
    { kind: "writeback", op: "put", bookingId: "b1" },
  ]);
  assert.equal(peak, 4);
  const at = (e: string) => events.indexOf(e);
  for (const r of readers) {
    assert.ok(at("end guest_confirmed -") < at(`start guests_invited ${r}`), events.join("\n"));
    assert.ok(at(`end guests_invited ${r}`) < at("start host_booked -"), events.join("\n"));
  }
  assert.ok(at("end host_booked -") < at("start writeback"), events.join("\n"));
});

Deno.test("runLane: a reader seen twice starts the next group, so no reader has two mails in flight and theirs keep their order", async () => {
  const { events, overlaps, twice } = await drain([
    mail("guests_invited", "r1"),
    mail("guests_invited", "r2"),
    mail("guests_invited", "r1"), // the same reader again (an update): after the first group
    mail("guests_invited", "r3"),
  ]);
  const at = (e: string) => events.indexOf(e);
  assert.deepEqual(twice, []);
  assert.ok(at("end guests_invited r1") < at("start guests_invited r3"), events.join("\n"));
  // r1's second mail starts once both of the first group ended, beside r3's.
  const second = events.lastIndexOf("start guests_invited r1");
  assert.ok(at("end guests_invited r2") < second, events.join("\n"));
  assert.ok(events.indexOf("end guests_invited r1") < second, events.join("\n"));
  assert.ok(
    overlaps.some((o) => o.join() === "guests_invited r1,guests_invited r3"),
    events.join("\n"),
  );
});

Deno.test("runLane: mails of different kinds, or of different bookings of a series, still go one after another", async () => {
  const { peak: kinds } = await drain([
    mail("guest_confirmed"),
    mail("host_booked"),
    mail("guests_invited", "r1"),
  ]);
  assert.equal(kinds, 1);
  const series = lanesOf(
    entries(
      ["d1", "d2", "d3"].map((d) => mail("guest_confirmed", undefined, d)),
    ).map((e) => ({ ...e, value: { ...e.value, lane: "series:s1" } })),
  );
  assert.equal(series.length, 1);
  let running = 0;
  let peak = 0;
  await runLane(
    series[0],
    async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 0));
      running--;
    },
    () => true,
    semaphore(4),
  );
  assert.equal(peak, 1, "a series' mails go out date by date");
});

Deno.test("runLane: the lanes of one drain hand over at most as many mails at once as the slots they share", async () => {
  const lanes = lanesOf(entries([
    ...["r1", "r2", "r3", "r4", "r5", "r6"].map((r) => mail("guests_invited", r, "b1")),
    ...["r1", "r2", "r3", "r4", "r5", "r6"].map((r) => mail("guests_invited", r, "b2")),
  ]));
  assert.equal(lanes.length, 2);
  const mails = semaphore(4);
  let running = 0;
  let peak = 0;
  const byLane = [0, 0];
  const peakByLane = [0, 0];
  await Promise.all(lanes.map((lane, i) =>
    runLane(
      lane,
      async () => {
        peak = Math.max(peak, ++running);
        peakByLane[i] = Math.max(peakByLane[i], ++byLane[i]);
        for (let k = 0; k < 5; k++) await new Promise((r) => setTimeout(r, 0));
        running--;
        byLane[i]--;
      },
      () => true,
      mails,
    )
  ));
  assert.equal(peak, 4, "four hand-offs at once over both lanes");
  assert.ok(peakByLane.every((n) => n >= 2), `each lane sent side by side: ${peakByLane}`);
});
