/**
 * A team's owner asks a guest of a collective seated time someone else organises to pick a new
 * time through the JSON API (POST /api/v1/teams/{teamId}/bookings/{id}/request-reschedule), over
 * HTTP against the built server: the team page's own "Ask to reschedule…" (ADR 040, amended).
 * Before, only the organiser's key could ask (POST /bookings/{id}/request-reschedule); an owner
 * could from the dashboard alone.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { seededTeamClass } from "../support/seated-team.ts";

// Three days ahead at 10:00 UTC: upcoming whenever the test runs.
const DAY = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
const AT = `${DAY}T10:00:00Z`;
const GUESTS = ["Anne", "Bert"];

type Answer = { status: number; type: string; headers: Headers; body: Record<string, unknown> };

function apiOf(base: string) {
  return async (
    method: string,
    path: string,
    opts: { key?: string; idem?: string; body?: unknown; raw?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.idem) headers["idempotency-key"] = opts.idem;
    if (opts.body !== undefined || opts.raw !== undefined) {
      headers["content-type"] = "application/json";
    }
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers,
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      headers: res.headers,
      body: text ? JSON.parse(text) : {},
    };
  };
}

/** The live seats of the time, as its organiser's key reads them. */
async function taken(api: ReturnType<typeof apiOf>, key: string, seatId: string) {
  const res = await api("GET", `/bookings/${seatId}/attendees`, { key });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body.attendees as { name: string }[]).map((a) => a.name);
}

Deno.test({
  name:
    "team seats over the API: an owner's write key asks a seat's guest of a class another member organises for a new time — the seat leaves the meeting, the guest is mailed their link with the reason, and a repeat of the request is replayed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, team, ids, keys } = await seededTeamClass("invito-team-seat-request-api-", {
      start: AT,
      guests: GUESTS.map((name) => ({ name, email: `${name.toLowerCase()}@example.test` })),
      apiKeys: true,
    });
    await using smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp: { host: smtp.host, port: smtp.port } });
      const api = apiOf(app.baseUrl);
      assert.deepEqual(await taken(api, keys!.organiser, ids[0]), GUESTS);
      const path = `/teams/${team.id}/bookings/${ids[1]}/request-reschedule`;
      const asked = await api("POST", path, {
        key: keys!.owner,
        idem: "ask-1",
        body: { reason: "Room change" },
      });
      assert.equal(asked.status, 200, JSON.stringify(asked.body));
      assert.equal(asked.body.id, ids[1]);
      assert.equal(asked.body.state, "cancelled");
      assert.equal(asked.body.endReason, "reschedule_requested");
      assert.deepEqual(await taken(api, keys!.organiser, ids[0]), ["Anne"], "Bert left the class");

      const mail = await smtp.waitForMail(
        (m) => m.to.includes("bert@example.test") && /Room change/.test(m.text),
        10_000,
      );
      const link = /https?:\/\/[^\s]+\/booking\/[^\s"<>]+/.exec(mail.text)?.[0];
      assert.ok(link, mail.text);
      const page = await fetch(
        `${app.baseUrl}${new URL(link).pathname.replace(/\/(reschedule|cancel)$/, "")}`,
      );
      assert.equal(page.status, 200);
      assert.match(await page.text(), /new time/i);

      const replay = await api("POST", path, {
        key: keys!.owner,
        idem: "ask-1",
        body: { reason: "Room change" },
      });
      assert.equal(replay.status, 200);
      assert.equal(replay.headers.get("idempotent-replayed"), "true");
      assert.equal(replay.body.endReason, "reschedule_requested");
      // Asked once: a second request with a new key finds nothing left to ask.
      const again = await api("POST", path, { key: keys!.owner, idem: "ask-2", body: {} });
      assert.equal(again.status, 409, JSON.stringify(again.body));
      assert.match(again.type, /^application\/problem\+json/);
      assert.equal(
        smtp.mails.filter((m) => m.to.includes("bert@example.test") && /Room change/.test(m.text))
          .length,
        1,
        "the guest is mailed once",
      );
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "team seats over the API: asking a seat's guest for a new time is refused with words to a member who neither owns the team nor organises the class (404), to the owner's read-only key (403), without an Idempotency-Key and with a bad body (400), for no seat of the team (404); nothing changes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, team, ids, keys } = await seededTeamClass(
      "invito-team-seat-request-api-refused-",
      {
        start: AT,
        guests: GUESTS.map((name) => ({ name, email: `${name.toLowerCase()}@example.test` })),
        apiKeys: true,
      },
    );
    try {
      await using app = await startApp({ dataDir });
      const api = apiOf(app.baseUrl);
      const path = `/teams/${team.id}/bookings/${ids[1]}/request-reschedule`;
      const problem = (res: Answer, status: number) => {
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.match(res.type, /^application\/problem\+json/);
        assert.equal(typeof res.body.detail, "string");
        assert.ok((res.body.detail as string).length > 0);
      };

      // Ben attends the class (he sees it) but neither owns the team nor organises it.
      const member = await api("POST", path, { key: keys!.other, idem: "m-1", body: {} });
      problem(member, 404);
      assert.equal(
        member.body.detail,
        "Only the team’s owners and the meeting’s organiser can ask its guests for a new time.",
      );
      problem(await api("POST", path, { key: keys!.ownerRead, idem: "r-1", body: {} }), 403);
      problem(await api("POST", path, { key: keys!.owner, body: {} }), 400);
      const long = await api("POST", path, {
        key: keys!.owner,
        idem: "l-1",
        body: { reason: "x".repeat(501) },
      });
      problem(long, 400);
      assert.equal((long.body.errors as { field: string }[])[0].field, "reason");
      const unknownField = await api("POST", path, {
        key: keys!.owner,
        idem: "u-1",
        body: { reasons: "typo" },
      });
      problem(unknownField, 400);
      assert.equal((unknownField.body.errors as { field: string }[])[0].field, "reasons");
      problem(await api("POST", path, { key: keys!.owner, idem: "j-1", raw: "{" }), 400);
      // No id of ours, a seat of the team that does not exist, a team that is not theirs: not
      // found, as every address of the API with an id answers them.
      problem(
        await api("POST", `/teams/${team.id}/bookings/nope/request-reschedule`, {
          key: keys!.owner,
          idem: "n-1",
          body: {},
        }),
        404,
      );
      problem(
        await api("POST", `/teams/${team.id}/bookings/${"0".repeat(26)}/request-reschedule`, {
          key: keys!.owner,
          idem: "z-1",
          body: {},
        }),
        404,
      );
      problem(
        await api("POST", `/teams/${"0".repeat(26)}/bookings/${ids[1]}/request-reschedule`, {
          key: keys!.owner,
          idem: "t-1",
          body: {},
        }),
        404,
      );
      // The organiser's own route stays the organiser's: the owner's key is told it is not theirs.
      problem(
        await api("POST", `/bookings/${ids[1]}/request-reschedule`, {
          key: keys!.owner,
          idem: "o-1",
          body: {},
        }),
        404,
      );

      const left = await api("GET", `/bookings/${ids[0]}/attendees`, { key: keys!.organiser });
      assert.equal(left.status, 200);
      assert.deepEqual(
        (left.body.attendees as { name: string; state: string }[]).map((a) => a.state),
        ["confirmed", "confirmed"],
        "nothing changed",
      );
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
