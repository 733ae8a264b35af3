/**
 * A seat of a team's collective seated time and its guest's "Reschedule", over HTTP against the
 * built server (ADR 040). The move went through the team's protocol for plain bookings: to an
 * empty time it made a plain booking there and took the old meeting's coordinator with it, so the
 * seats left behind could no longer be joined (a new guest was told the time was taken) and the
 * old time still counted the moved seat.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";

type Outcome = { status: number; location: string | null; body: string };

async function post(base: string, path: string, form: Record<string, string>): Promise<Outcome> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

Deno.test({
  name:
    "team seats over HTTP: a guest's seat of a collective time offers no 'Reschedule' and says how to change it; a move posted anyway is refused with those words, to an empty time or one with a meeting, and the meeting left behind still takes new guests",
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
      assert.equal((await book(t1, "bob")).status, 303);
      assert.equal((await book(t2, "dan")).status, 303);
      const link = new URL(ada.location!, base).pathname;

      const page = await (await fetch(`${base}${link}`)).text();
      assert.equal(page.includes(`href="${link}/reschedule"`), false, "no Reschedule link");
      const move = await (await fetch(`${base}${link}/reschedule?tz=UTC`)).text();
      assert.match(move, /This seat can’t be moved to another time/);

      for (const to of [t3, t2]) {
        const res = await post(base, `${link}/reschedule`, { start: to });
        assert.equal(res.status, 409, `${to}: ${res.status} ${res.location}`);
        assert.match(res.body, /This seat can’t be moved to another time/);
      }
      const now = await left();
      assert.equal(now.get(t1), 1, "Ada and Bob still hold their seats");
      assert.equal(now.get(t2), 2);
      assert.equal(now.get(t3), 3, "nothing landed on the empty time");
      // The meeting Ada is in still takes its last seat.
      const cyd = await book(t1, "cyd");
      assert.equal(cyd.status, 303, cyd.body.slice(0, 300));
      assert.equal((await left()).has(t1), false, "full now");
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
