import assert from "node:assert/strict";

import { apiClient } from "./provider-http.ts";
import { zoomApi } from "./zoom.ts";
import { startZoom, ZOOM_CLIENT } from "../../../../tests/support/zoom.ts";

/** An access token from the stand-in's token endpoint (code + PKCE, Basic client auth). */
async function accessToken(base: string, z: Awaited<ReturnType<typeof startZoom>>) {
  const verifier = "v".repeat(50);
  const d = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  const challenge = btoa(String.fromCharCode(...d)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  const code = z.oauth.issueCode(
    new URLSearchParams({
      client_id: ZOOM_CLIENT.id,
      redirect_uri: "http://127.0.0.1/cb",
      code_challenge: challenge,
      scope: "meeting:write:meeting",
    }),
  );
  const res = await fetch(`${base}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(`${ZOOM_CLIENT.id}:${ZOOM_CLIENT.secret}`)}` },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: "http://127.0.0.1/cb",
      code_verifier: verifier,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

function client(z: Awaited<ReturnType<typeof startZoom>>, token: string, waits: number[] = []) {
  const api = apiClient({
    apiUrl: `${z.base}/v2`,
    name: "Zoom",
    tokens: {
      get: () => Promise.resolve({ ok: true, accessToken: token }),
      refresh: () => Promise.resolve({ ok: true, accessToken: token }),
      revoked: () => Promise.resolve(),
    },
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return zoomApi(api, `${z.base}/v2`);
}

const MEETING = {
  topic: "Intro call with Ada",
  startMs: Date.UTC(2030, 2, 31, 0, 30),
  endMs: Date.UTC(2030, 2, 31, 1, 15),
  timeZone: "Europe/Berlin",
};

Deno.test("zoomApi: a meeting is made in UTC, moved in place and deleted; a gone one counts as deleted", async () => {
  await using z = await startZoom();
  const zoom = client(z, await accessToken(z.base, z));
  const made = await zoom.create(MEETING);
  assert(made.ok);
  assert(made.joinUrl.startsWith("https://"));
  const stored = z.meetings.get(Number(made.meetingId))!;
  assert.deepEqual(stored.start_time, "2030-03-31T00:30:00Z");
  assert.deepEqual(stored.duration, 45);
  assert.deepEqual(stored.timezone, "Europe/Berlin");

  const moved = await zoom.update(made.meetingId, {
    ...MEETING,
    startMs: MEETING.startMs + 3_600_000,
    endMs: MEETING.endMs + 3_600_000,
  });
  assert.deepEqual(moved, { ok: true, found: true });
  assert.deepEqual(z.meetings.size, 1);
  assert.deepEqual(z.meetings.get(Number(made.meetingId))!.start_time, "2030-03-31T01:30:00Z");

  assert.deepEqual(await zoom.remove(made.meetingId), { ok: true });
  assert.deepEqual(z.meetings.size, 0);
  assert.deepEqual(await zoom.remove(made.meetingId), { ok: true });
  assert.deepEqual(await zoom.update(made.meetingId, MEETING), { ok: true, found: false });
});

Deno.test("zoomApi: 429 waits for Retry-After; a long one goes back to the caller as a retry time", async () => {
  await using z = await startZoom();
  const waits: number[] = [];
  const zoom = client(z, await accessToken(z.base, z), waits);
  z.rateLimitNext(1, 2);
  const made = await zoom.create(MEETING);
  assert(made.ok);
  assert.deepEqual(waits, [2000]);
  z.rateLimitNext(5, 120);
  const again = await zoom.create(MEETING);
  assert(!again.ok);
  assert.deepEqual(again.error.kind, "network");
  assert.deepEqual(again.error.retryAfterMs, 120_000);
  assert.deepEqual(z.meetings.size, 1);
});

Deno.test("zoomApi: a refused token is a reconnect, an outage a network failure", async () => {
  await using z = await startZoom();
  const zoom = client(z, "not-a-token");
  const bad = await zoom.create(MEETING);
  assert(!bad.ok);
  assert.deepEqual(bad.error.kind, "reconnect");
  z.down = true;
  const down = await client(z, await accessToken(z.base, z)).create(MEETING);
  assert(!down.ok);
  assert.deepEqual(down.error.kind, "network");
  assert.deepEqual(z.meetings.size, 0);
});
