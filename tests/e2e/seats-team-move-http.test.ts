/**
 * A seat of a team's collective seated time and its guest's "Reschedule", over HTTP against the
 * built server (ADR 040, amended: a collective time's seat moves). The page offers the move like
 * any seat's; a move into a time with a meeting joins it, one to an empty time starts a meeting
 * there, the last seat leaving frees its old time for a new guest, and a full time is refused in
 * the guest's words.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";
import { type PlainOutcome, postPlainRead } from "../support/http.ts";

type Outcome = PlainOutcome;
const post = (base: string, path: string, form: Record<string, string>) =>
  postPlainRead(base, path, form);

Deno.test({
  name:
    "team seats over HTTP: a guest's seat of a collective time offers 'Reschedule'; moved into a time with a meeting it joins it, to an empty time it starts one, the time its last seat left takes a new guest, and a full time says every seat is taken",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-team-seat-move-");
    const { team } = await seedTeam(seedApp, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(seedApp, team, {
      slug: "class",
      teamMode: "collective",
      durationMin: 60,
      seats: { perTime: 3, showAttendees: false, hideCount: false },
    });
    kv.close();
    try {
      await using app = await startApp({ dataDir });
      const base = app.baseUrl;
      const { slots, date } = await fullDay(base, "/team/crew/class", { min: 7 });
      const [t1, t2, t3] = [slots[2], slots[4], slots[6]];
      const left = async () => {
        const html = await (await fetch(`${base}/team/crew/class?tz=UTC&date=${date}`)).text();
        return new Map(
          [...html.matchAll(/data-slot="([^"]+)"(?:(?!<\/a>)[^])*?data-seats-left="(\d+)"/g)]
            .map((m) => [m[1], Number(m[2])]),
        );
      };
      const book = (start: string, who: string) =>
        post(base, "/team/crew/class?/book", {
          name: `Guest ${who}`,
          email: `g${who}@example.test`,
          note: "",
          start,
          tz: "UTC",
        });
      const ada = await book(t1, "ada");
      assert.equal(ada.status, 303, ada.body.slice(0, 300));
      const bob = await book(t1, "bob");
      assert.equal(bob.status, 303);
      assert.equal((await book(t2, "dan")).status, 303);
      const adaLink = new URL(ada.location!, base).pathname;
      const bobLink = new URL(bob.location!, base).pathname;

      const page = await (await fetch(`${base}${adaLink}`)).text();
      assert.ok(page.includes(`href="${adaLink}/reschedule"`), "a Reschedule link");
      const movePage = await (await fetch(`${base}${adaLink}/reschedule?tz=UTC&date=${date}`))
        .text();
      assert.ok(movePage.includes(`data-slot="${t2}"`), "the time with Dan's meeting is offered");

      // Ada joins Dan's meeting; Bob, the last at t1, starts one at t3.
      const adaMoved = await post(base, `${adaLink}/reschedule`, { start: t2 });
      assert.equal(adaMoved.status, 303, adaMoved.body.slice(0, 300));
      assert.match(adaMoved.location!, /\?moved=1$/);
      const bobMoved = await post(base, `${bobLink}/reschedule`, { start: t3 });
      assert.equal(bobMoved.status, 303, bobMoved.body.slice(0, 300));
      const now = await left();
      assert.equal(now.get(t1), 3, "t1 is free again");
      assert.equal(now.get(t2), 1, "Dan and Ada");
      assert.equal(now.get(t3), 2, "Bob");

      // t1 takes a new guest; t2 fills up, and Bob's move there is told it is full.
      assert.equal((await book(t1, "cyd")).status, 303);
      assert.equal((await book(t2, "eve")).status, 303);
      const bobNow = new URL(bobMoved.location!, base).pathname;
      const full = await post(base, `${bobNow}/reschedule`, { start: t2 });
      assert.equal(full.status, 409, `${full.status} ${full.location}`);
      assert.match(full.body, /Every seat at this time is taken/);
      assert.equal((await left()).get(t3), 2, "Bob keeps his seat");
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
