/**
 * Seats of a team's collective seated time on three processes sharing one remote KV (the KV
 * Connect test server, 1–5 ms per request, behind a round-robin proxy), driven over HTTP as
 * people do: guests move their seats from their manage link's Reschedule page, a team owner asks
 * guests for a new time from the team's bookings page, and new guests book on the team's page.
 * The in-memory tests (services/team-seat-move.test.ts, team-seat-rebook.test.ts) stage the same
 * races on one store; here each process has its own lanes and Deno's real remote client, and
 * every write goes through the protocol's limits (ADR 040, amendments "a collective time's seat
 * moves" and "a collective time's seat is asked for a new time"); the races' landing writes lose
 * their answers now and then, as a remote store's do.
 */
import assert from "node:assert/strict";
import { type Cluster, servicesOn, startCluster } from "../support/cluster.ts";
import { createClient, type PlainOutcome, postPlainRead } from "../support/http.ts";
import { finishMagicLink, verifyLinkIn } from "../support/auth.ts";
import { waitFor } from "../support/wait.ts";
import type { TestApp } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { assertConsistent, ledgerIds as ledgerIdsAt } from "../support/collective-seats.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import { tokenBookingId } from "../../src/lib/server/services/booking-links.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";
import type {
  EventTypeRecord,
  TeamRecord,
  UserRecord,
} from "../../src/lib/server/domain/model/records.ts";

const HOUR = 3_600_000;
// Days ahead at whole UTC hours: upcoming whenever the test runs.
const DAY0 = Date.parse(new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10));
const at = (day: number, hour: number) =>
  new Date(DAY0 + day * 24 * HOUR + hour * HOUR).toISOString().replace(".000Z", "Z");
/** The largest team whose seat moves in one write with every meeting over midnight (ADR 040). */
const LARGEST = 70;

type Outcome = PlainOutcome;
const post = (base: string, path: string, form: Record<string, string>) =>
  postPlainRead(base, path, form);

/**
 * A client signed in as `email` through the proxy: with no mail server, the process that took
 * the request prints the magic link, whichever it was.
 */
async function signInAnywhere(c: Cluster, email: string) {
  const client = createClient(c.baseUrl);
  const since = c.apps.map((a) => a.logs().length);
  const asked = await client.post("/signin?/email", { providerId: "email", email });
  assert.equal(asked.status, 303, asked.body.slice(0, 300));
  const text = await waitFor(
    () => c.apps.map((a, i) => a.logs().slice(since[i])).find((l) => l.includes("/signin/verify?")),
    { message: "a magic link in a process's log" },
  );
  await finishMagicLink(client, verifyLinkIn(text));
  assert.ok(client.cookie("authjs.session-token"), "signed in");
  return client;
}

type Seeded = { team: TeamRecord; users: UserRecord[]; et: EventTypeRecord };

async function seedClass(
  app: TestApp,
  slug: string,
  members: number,
  opts: { perTime: number; bufferAfterMin?: number },
): Promise<Seeded> {
  const { team, users } = await seedTeam(app, {
    slug,
    members: Array.from({ length: members }, (_, i) => ({ username: `${slug}${i}` })),
  });
  const et = await seedTeamEventType(app, team, {
    slug: "class",
    teamMode: "collective",
    durationMin: 60,
    bufferAfterMin: opts.bufferAfterMin ?? 0,
    seats: { perTime: opts.perTime, showAttendees: false, hideCount: false },
  });
  return { team, users, et };
}

Deno.test({
  name:
    "three processes on remote KV: collective seats moved and picked by guests at once over HTTP land exactly the free seats through lost commit answers, the others are told the time is full; the largest team's move fits one write and a larger team's is refused, nothing changed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    let seed: TestApp | undefined;
    let seedKv: Deno.Kv | undefined;
    const classes: Record<string, Seeded> = {};
    /** Each guest's manage link (the path of the link their mail gives them), by name. */
    const links: Record<string, string> = {};
    /** A guest's seat, written by the services straight into the store (no HTTP). */
    let seat = (_team: string, _start: string, _who: string): Promise<void> => {
      throw new Error("no store yet");
    };
    // One secret for the processes and the seeding app: the links it makes open on them.
    const secret = `remote-seats-${crypto.randomUUID()}`.padEnd(48, "x");
    await using c: Cluster = await startCluster({
      processes: 3,
      env: { INVITO_RATE_LIMIT: "off", INVITO_SESSION_SECRET: secret },
      beforeStart: async (kvs) => {
        ({ kv: seedKv, app: seed } = await servicesOn(kvs, secret));
        const app = seed;
        seat = async (team: string, start: string, who: string) => {
          const r = await bookTeamSlot(app, {
            team,
            slug: "class",
            start,
            name: `Guest ${who}`,
            email: `${who}@example.test`,
            note: "",
            timeZone: "UTC",
          });
          assert.ok(r.ok, `${who}: ${JSON.stringify(r)}`);
          links[who] = `/booking/${r.guestToken}`;
        };
        classes.crew = await seedClass(app, "crew", 2, { perTime: 3 });
        // Day 0: the movers' times full (3 each) and a meeting with 2 seats left; day 1 the same
        // for the guests the owner asks for a new time.
        for (const [day, who] of [[0, "m"], [1, "q"]] as const) {
          for (let i = 0; i < 6; i++) await seat("crew", at(day, i < 3 ? 8 : 10), `${who}${i}`);
          await seat("crew", at(day, 12), `${who}-meeting`);
        }
        // Every meeting over midnight: each member's entries of two UTC days per meeting.
        classes.big = await seedClass(app, "big", LARGEST, { perTime: 5, bufferAfterMin: 90 });
        classes.huge = await seedClass(app, "huge", LARGEST + 1, {
          perTime: 5,
          bufferAfterMin: 90,
        });
        await settleCounts();
        kvs.faults.set({ latencyMs: [1, 5] });
      },
    });
    const base = c.baseUrl;
    const app = seed!;
    try {
      const owner = await signInAnywhere(c, classes.crew.users[0].email);
      /** A new guest's seat from the team's page. */
      const book = (team: string, start: string, who: string) =>
        post(base, `/team/${team}/class?/book`, {
          name: `Guest ${who}`,
          email: `${who}@example.test`,
          note: "",
          start,
          tz: "UTC",
        });
      const move = (link: string, start: string) => post(base, `${link}/reschedule`, { start });
      const moved = (o: Outcome) => o.status === 303 && /\?moved=1$/.test(o.location ?? "");
      const booked = (o: Outcome) => o.status === 303 && !moved(o);
      /** Every refusal of a race is "full" in the guest's words, never a 5xx or another reason. */
      const assertFull = (outcomes: Outcome[]) => {
        for (const o of outcomes.filter((o) => o.status !== 303)) {
          assert.equal(o.status, 409, `${o.status}: ${o.body.slice(0, 300)}`);
          assert.match(o.body, /Every seat at this time is taken/);
        }
      };
      /**
       * A race whose first two landing writes lose their answers (Deno's client hears "not ok"
       * for a write that happened): the processes settle them by reading (ADR 038).
       */
      const losing = async (race: Promise<Outcome>[]) => {
        const before = c.kv.stats().injected.loseAnswer;
        c.kv.faults.set({ loseAnswer: 2, matchKey: "booking" });
        const outcomes = await Promise.all(race);
        c.kv.faults.set({ loseAnswer: 0 });
        assert.ok(c.kv.stats().injected.loseAnswer > before, "answers were lost");
        return outcomes;
      };
      /** The live seats of a time, as its ledger lists them. */
      const ledgerIds = (etId: string, start: string) => ledgerIdsAt(app, etId, Date.parse(start));
      const consistent = async (cls: Seeded) => {
        app.clock.ms = Date.now();
        return await assertConsistent(app, cls.et.id, cls.users);
      };

      await t.step(
        "6 guests move into a meeting with 2 seats left, then the 4 left over and 2 new guests into an empty time of 3: exactly the free seats land",
        async () => {
          const { et } = classes.crew;
          const [meeting, empty] = [at(0, 12), at(0, 14)];
          const movers = [0, 1, 2, 3, 4, 5].map((i) => links[`m${i}`]);

          const first = await losing(movers.map((l) => move(l, meeting)));
          assert.equal(first.filter(moved).length, 2, first.map((o) => o.status).join(", "));
          assertFull(first);
          assert.equal((await ledgerIds(et.id, meeting)).length, 3, "the meeting is full");
          await consistent(classes.crew);

          const left = movers.filter((_, i) => !moved(first[i]));
          const second = await losing([
            ...left.map((l) => move(l, empty)),
            ...[0, 1].map((i) => book("crew", empty, `n${i}`)),
          ]);
          const landed = second.filter((o) => o.status === 303);
          assert.equal(landed.length, 3, second.map((o) => o.status).join(", "));
          assertFull(second);
          assert.equal((await ledgerIds(et.id, empty)).length, 3);
          const { live } = await consistent(classes.crew);
          // Nobody counted twice, nobody lost: 6 movers and 1 guest, plus the new guests who got in.
          assert.equal(
            live.filter((b) => b.startMs < Date.parse(at(1, 0))).length,
            7 + second.slice(left.length).filter(booked).length,
          );
        },
      );

      await t.step(
        "6 guests asked by the team's owner for a new time pick a meeting with 2 seats left while 3 new guests book it, then those left over and 2 new guests pick an empty time of 3: exactly the free seats land",
        async () => {
          const { team, et } = classes.crew;
          const [from1, from2, meeting, empty] = [at(1, 8), at(1, 10), at(1, 12), at(1, 14)];
          const asked = [0, 1, 2, 3, 4, 5].map((i) => links[`q${i}`]);
          const page = `/dashboard/teams/${team.id}/bookings`;
          for (const link of asked) {
            const id = tokenBookingId(link.split("/").pop()!)!;
            // As the page's script posts it (the answer is the action's, not the page again).
            const r = await owner.post(`${page}?/request`, { id, reason: "The room changed" }, {
              headers: { accept: "application/json", "x-sveltekit-action": "true" },
            });
            assert.equal(JSON.parse(r.body).type, "success", `${r.status} ${r.body.slice(0, 300)}`);
          }
          assert.deepEqual(await ledgerIds(et.id, from1), [], "every seat asked left its time");
          assert.deepEqual(await ledgerIds(et.id, from2), []);
          await consistent(classes.crew);

          // Joining the meeting: the engine's rebook with join (6 checks).
          const first = await losing([
            ...asked.map((l) => move(l, meeting)),
            ...[0, 1, 2].map((i) => book("crew", meeting, `r${i}`)),
          ]);
          assert.equal(
            first.filter((o) => o.status === 303).length,
            2,
            first.map((o) => o.status).join(", "),
          );
          assertFull(first);
          assert.equal((await ledgerIds(et.id, meeting)).length, 3);
          await consistent(classes.crew);

          // Starting a meeting: the team protocol, whose commit links the asked seat (7 checks).
          const left = asked.filter((_, i) => first[i].status !== 303);
          assert.ok(left.length >= 4, "an asked guest told 'full' may pick again");
          const second = await losing([
            ...left.map((l) => move(l, empty)),
            ...[0, 1].map((i) => book("crew", empty, `s${i}`)),
          ]);
          assert.equal(
            second.filter((o) => o.status === 303).length,
            3,
            second.map((o) => o.status).join(", "),
          );
          assertFull(second);
          assert.equal((await ledgerIds(et.id, empty)).length, 3);
          await consistent(classes.crew);
          // An asked guest's link books once: the one who got in is not asked any more.
          const once = left.find((_, i) => second[i].status === 303);
          if (once) {
            const again = await move(once, at(1, 16));
            assert.notEqual(again.status, 303, "an asked seat's link already used moves nothing");
            assert.ok(again.status < 500, `${again.status}`);
          }
        },
      );

      await t.step(
        `a ${LARGEST}-member team's seats move into a meeting and to an empty time over midnight, each write within remote KV's limits; a ${
          LARGEST + 1
        }-member team's move is refused and nothing changes`,
        async () => {
          const [x, y, z] = [at(0, 23), at(1, 23), at(2, 23)];
          const big = classes.big;
          // The first seats, seeded now: the magic link above was not queued behind their
          // members' mails (some 300).
          c.kv.faults.set({ latencyMs: 0 });
          for (const [team, first, second] of [["big", "ada", "bea"], ["huge", "ann", "ben"]]) {
            await seat(team, x, first);
            await seat(team, y, second);
          }
          c.kv.faults.set({ latencyMs: [1, 5] });
          const [ada, bea] = [links.ada, links.bea];
          /** A guest's move over HTTP, and the largest write the KV server took for it. */
          const measured = async (link: string, to: string) => {
            Object.assign(c.kv.stats().largest, { checks: 0, mutations: 0, bytes: 0 });
            const o = await move(link, to);
            assert.ok(moved(o), `${o.status}: ${o.body.slice(0, 300)}`);
            return { link: new URL(o.location!, base).pathname, ...c.kv.stats().largest };
          };
          // Ada, the last at x, joins Bea at y; Bea moves on to an empty z, her meeting going on
          // with Ada; Ada, now the last at y, joins her there.
          const joined = await measured(ada, y);
          const started = await measured(bea, z);
          const last = await measured(joined.link, z);
          assert.deepEqual(await ledgerIds(big.et.id, x), []);
          assert.deepEqual(await ledgerIds(big.et.id, y), []);
          assert.equal((await ledgerIds(big.et.id, z)).length, 2);
          await consistent(big);
          assert.deepEqual(c.kv.stats().refused, [], "the server refused no write");
          for (const [what, w] of Object.entries({ joined, started, last })) {
            // Near the limit both ways: each member's entries of both meetings and their jobs.
            assert.ok(w.checks <= 10, `${what}: ${w.checks} checks`);
            assert.ok(
              w.mutations > 900 && w.mutations <= 1000,
              `${what}: ${w.mutations} mutations`,
            );
          }
          console.log(
            `${LARGEST} members over remote KV, largest write of each move (checks/mutations): ` +
              [joined, started, last].map((w) => `${w.checks}/${w.mutations}`).join(", "),
          );

          const huge = classes.huge;
          const [ann, ben] = [links.ann, links.ben];
          const [annId, benId] = [ann, ben].map((l) => tokenBookingId(l.split("/").pop()!)!);
          for (const to of [y, z]) {
            const refused = await move(ann, to);
            assert.equal(refused.status, 409, `${to}: ${refused.status}`);
            // Said as it is (not "can no longer be moved", as if too late): the host can help.
            assert.match(refused.body, /cannot be changed this way\. Please write to the host/);
          }
          assert.deepEqual(await ledgerIds(huge.et.id, x), [annId]);
          assert.deepEqual(await ledgerIds(huge.et.id, y), [benId]);
          assert.deepEqual(await ledgerIds(huge.et.id, z), []);
          await consistent(huge);
          assert.deepEqual(c.kv.stats().refused, [], "the refusal was the app's, not the server's");
        },
      );

      const logs = c.apps.map((a) => a.logs()).join("\n");
      assert.doesNotMatch(logs, /\[error /);
      assert.ok(c.served.every((n) => n >= 5), `every process served: ${c.served}`);
    } finally {
      await settleCounts();
      seedKv?.close();
    }
  },
});
