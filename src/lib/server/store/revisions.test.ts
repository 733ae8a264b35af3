/**
 * Every store write that changes what a person's (or team's) slots are computed from sets the
 * owner's revision in the same atomic write (store/revisions.ts `revisionsOwed` states which):
 * a page cached under the old revision is computed again in every process. Engine writes are
 * held to the same rule in booking-engine.test.ts (every change kind, random sequences).
 */
import assert from "node:assert/strict";
import { keys } from "./keys.ts";
import { readRevisions, revisionsOwed } from "./revisions.ts";
import { insertUser, updateUser } from "./users.ts";
import { setUserPhoto } from "./photos.ts";
import { changeAvailability, defaultAvailability, putAvailability } from "./availability.ts";
import { insertEventType, removeEventType, updateEventType } from "./event-types.ts";
import { insertTeam, updateTeam } from "./teams.ts";
import { closeAccountRecord, setSuspended } from "./host-data.ts";
import { commitHead, failClosedHeads } from "./calendar-busy.ts";
import {
  deleteCalendar,
  emptyHead,
  insertAccount,
  insertCalendar,
  removeAccount,
  updateCalendar,
} from "./calendars.ts";
import type {
  CalendarAccountRecord,
  CalendarBusyHeadRecord,
  CalendarRecord,
  EventTypeRecord,
  TeamRecord,
} from "../domain/model/records.ts";

type Seen = { mutated: Deno.KvKey[]; set: Set<string> };

/** A KV whose committed atomic writes are recorded (mutated keys, keys set). */
function recording(kv: Deno.Kv, commits: Seen[]): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const seen: Seen = { mutated: [], set: new Set() };
          const wrapped: Deno.AtomicOperation = new Proxy(op, {
            get(o, p) {
              const v = Reflect.get(o, p, o);
              if (typeof v !== "function") return v;
              return (...args: unknown[]) => {
                if (p === "set" || p === "delete") seen.mutated.push(args[0] as Deno.KvKey);
                if (p === "set") seen.set.add(JSON.stringify(args[0]));
                const out = v.apply(o, args);
                if (p === "commit") {
                  return (out as Promise<Deno.KvCommitResult | Deno.KvCommitError>).then((r) => {
                    if (r.ok) commits.push(seen);
                    return r;
                  });
                }
                return out === o ? wrapped : out;
              };
            },
          });
          return wrapped;
        };
      }
      if (prop === "set" || prop === "delete") {
        // A plain set or delete of a key that owes a revision can never carry it.
        return (key: Deno.KvKey, ...rest: unknown[]) => {
          commits.push({ mutated: [key], set: new Set() });
          return (Reflect.get(target, prop, target) as (...a: unknown[]) => unknown).call(
            target,
            key,
            ...rest,
          );
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as Deno.Kv;
}

const NOW = Date.UTC(2026, 10, 23, 9);

Deno.test("revisions: every settings, calendar and busy-cache write sets its owner's revision in the same commit", async () => {
  const raw = await Deno.openKv(":memory:");
  const commits: Seen[] = [];
  const kv = recording(raw, commits);
  try {
    const rows: [string, () => Promise<unknown>][] = [];
    const made = await insertUser(kv, {
      email: "ada@example.test",
      name: "Ada",
      wantedUsername: "ada",
      timeZone: "Europe/Berlin",
      emailVerifiedMs: NOW,
      image: null,
    }, NOW);
    assert.ok(made.ok);
    const host = made.user.id;
    const et: EventTypeRecord = {
      v: 1,
      id: "et1",
      userId: host,
      slug: "call",
      title: "Call",
      description: "",
      durationMin: 30,
      requiresConfirmation: false,
      bookingWindowDays: 30,
      color: "#000",
      active: true,
      confirmedMessage: "",
      rejectedMessage: "",
      createdAtMs: NOW,
      updatedAtMs: NOW,
    };
    const team: TeamRecord = {
      v: 1,
      id: "team1",
      slug: "crew",
      name: "Crew",
      timeZone: "UTC",
      members: [
        { userId: host, role: "owner", weight: 1, priority: 2 } as TeamRecord["members"][0],
      ],
      createdAtMs: NOW,
      updatedAtMs: NOW,
    };
    const account = { v: 1, id: "acc1", hostId: host } as unknown as CalendarAccountRecord;
    const cal = (id: string, checkConflicts: boolean) =>
      ({ v: 1, id, hostId: host, accountId: "acc1", checkConflicts }) as unknown as CalendarRecord;
    const calEntry = (id: string) =>
      raw.get<CalendarRecord>(keys.calendarOfAccount(host, "acc1", id)) as Promise<
        Deno.KvEntry<CalendarRecord>
      >;
    rows.push(
      ["user renamed", () => updateUser(kv, host, { name: "Ada L." }, NOW)],
      ["photo", () =>
        setUserPhoto(kv, host, {
          v: 1,
          type: "image/png",
          bytes: new Uint8Array(4),
          updatedAtMs: NOW,
        } as never)],
      ["availability put", () => putAvailability(kv, defaultAvailability(host, NOW))],
      [
        "availability changed",
        () =>
          changeAvailability(kv, host, NOW, (cur) => ({ ok: true, next: { ...cur, timeOff: [] } })),
      ],
      ["event type inserted", () => insertEventType(kv, et)],
      [
        "event type updated",
        () => updateEventType(kv, host, "et1", (c) => ({ ...c, durationMin: 45 })),
      ],
      ["event type removed", () => removeEventType(kv, host, "et1")],
      ["team inserted", () => insertTeam(kv, team)],
      [
        "team updated",
        () => updateTeam(kv, "team1", (cur) => ({ ok: true, next: { ...cur, name: "Crew 2" } })),
      ],
      ["calendar account connected", () =>
        insertAccount(kv, {
          account,
          calendars: [cal("c1", true)],
          heads: [emptyHead("c1", "acc1")],
          writeback: null,
        } as never)],
      [
        "calendar stops counting",
        async () => updateCalendar(kv, await calEntry("c1"), cal("c1", false)),
      ],
      ["calendar found later", async () =>
        insertCalendar(
          kv,
          await raw.get(keys.calendarAccount(host, "acc1")) as Deno.KvEntry<CalendarAccountRecord>,
          cal("c2", true),
        )],
      ["calendar sync commits its busy cache", async () => {
        const head = await raw.get<CalendarBusyHeadRecord>(keys.calendarBusyHead(host, "c2"));
        assert.ok(
          await commitHead(kv, head as Deno.KvEntry<CalendarBusyHeadRecord>, [], {
            ...head.value!,
            gen: "g1",
            syncedAtMs: NOW,
          }),
        );
      }],
      ["calendar consent revoked", () => failClosedHeads(kv, host, "acc1", null)],
      ["calendar gone from the server", async () => deleteCalendar(kv, await calEntry("c2"))],
      ["calendar account removed", () => removeAccount(kv, host, "acc1")],
      // A suspended host's pages and bookings are refused from the user record: another
      // process keeps both by the revision (ADR 049), so suspending must change it.
      ["account suspended", () => setSuspended(kv, host, NOW, NOW)],
      ["account reactivated", () => setSuspended(kv, host, null, NOW)],
      ["account closed", () => closeAccountRecord(kv, host, NOW)],
    );
    for (const [name, write] of rows) {
      const from = commits.length;
      const before = await readRevisions(raw, [host, "team1"]);
      await write();
      const mine = commits.slice(from);
      assert.ok(
        mine.some((c) => revisionsOwed(c.mutated).length > 0),
        `${name}: wrote something a page depends on`,
      );
      for (const c of mine) {
        for (const owed of revisionsOwed(c.mutated)) {
          assert.ok(c.set.has(JSON.stringify(owed)), `${name}: sets ${JSON.stringify(owed)}`);
        }
      }
      const after = await readRevisions(raw, [host, "team1"]);
      assert.notDeepEqual(after, before, `${name}: a revision changed`);
    }
  } finally {
    raw.close();
  }
});
