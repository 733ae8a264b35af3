import assert from "node:assert/strict";
import { clientIp } from "./client-ip.ts";
import { parseRateLimitSetting, rateGroupFor } from "../domain/rate-limit.ts";
import { actionName, canonicalPath } from "./route-shape.ts";

Deno.test("client IP: the socket address counts unless it is a trusted proxy", () => {
  assert.equal(clientIp("203.0.113.5", "1.2.3.4", []), "203.0.113.5");
  assert.equal(
    clientIp("203.0.113.5", "1.2.3.4", ["10.0.0.1"]),
    "203.0.113.5",
    "an untrusted socket's header is ignored",
  );
  assert.equal(
    clientIp("10.0.0.1", "6.6.6.6, 1.2.3.4", ["10.0.0.1"]),
    "1.2.3.4",
    "right-most untrusted entry",
  );
  assert.equal(
    clientIp("10.0.0.1", "1.2.3.4, 10.0.0.2", ["10.0.0.0/8"]),
    "1.2.3.4",
    "CIDR ranges of proxies are skipped",
  );
  assert.equal(clientIp("10.0.0.1", null, ["10.0.0.1"]), "10.0.0.1");
});

Deno.test("rate limits: the setting accepts on, off and per-group overrides, and explains mistakes", () => {
  const on = parseRateLimitSetting("on");
  assert.ok(on.ok && on.limits?.booking.limit === 10);
  const off = parseRateLimitSetting("off");
  assert.ok(off.ok && off.limits === null);
  const custom = parseRateLimitSetting("booking=3/30s, page=100/1m");
  assert.ok(
    custom.ok && custom.limits?.booking.limit === 3 && custom.limits.booking.windowMs === 30_000,
  );
  const bad = parseRateLimitSetting("booking=lots");
  assert.ok(!bad.ok && bad.error.includes("booking=10/10m"));
});

Deno.test("rate limits: requests are grouped by the route SvelteKit resolved, however the path is spelled", () => {
  const g = (method: string, routeId: string | null, raw = "") =>
    rateGroupFor({ method, routeId, path: canonicalPath(raw) });
  assert.equal(g("POST", "/calendar/[username]/[slug]"), "booking");
  assert.equal(g("POST", "/widget/[username]/[slug]"), "booking");
  assert.equal(g("POST", "/calendar/[username]"), "booking");
  assert.equal(g("POST", "/booking/[token]/confirm"), "token");
  assert.equal(g("POST", "/widget/booking/[token]"), "token");
  assert.equal(g("POST", "/signin"), "signin");
  assert.equal(g("GET", "/calendar/[username]"), "page");
  assert.equal(g("HEAD", "/booking/[token]"), "page");
  assert.equal(g("GET", "/dashboard"), null);
  assert.equal(g("POST", "/dashboard/profile"), null);
  // A team's pages and widget count like a host's; an invitation link like a booking link.
  assert.equal(g("POST", "/team/[team]/[slug]"), "booking");
  assert.equal(g("POST", "/widget/team/[team]/[slug]"), "booking");
  assert.equal(g("GET", "/team/[team]"), "page");
  assert.equal(g("GET", "/widget/team/[team]"), "page");
  assert.equal(g("GET", "/team-invitation/[token]"), "page");
  assert.equal(g("POST", "/team-invitation/[token]"), "token");
  assert.equal(g("POST", "/dashboard/teams/[teamId]"), null);
  // A routing form leads to a booking: its posts count as booking attempts, its views as pages.
  assert.equal(g("POST", "/forms/[owner]/[slug]"), "booking");
  assert.equal(g("POST", "/widget/forms/[owner]/[slug]"), "booking");
  assert.equal(g("GET", "/forms/[owner]/[slug]"), "page");
  assert.equal(g("POST", "/dashboard/routing/[id]"), null);
  // Auth.js's own endpoints have no route: their decoded path decides.
  assert.equal(g("POST", null, "/auth/signin/email"), "signin");
  assert.equal(g("POST", null, "/auth/%73ignin/email"), "signin");
  assert.equal(g("POST", null, "/auth/callback/email"), null);
  assert.equal(g("POST", null, "/AUTH/SIGNIN/email"), "signin");
  assert.equal(g("POST", null, "/auth/signout"), null);
});

Deno.test("route shape: the action is the first decoded query key starting with a slash", () => {
  const a = (q: string) => actionName(new URL(`http://x/p${q}`));
  assert.equal(a("?/book"), "book");
  assert.equal(a("?%2Fbook"), "book");
  assert.equal(a("?x=1&/book&/other"), "book");
  assert.equal(a("?/default"), "default");
  assert.equal(a(""), null);
  assert.equal(a("?book"), null);
  assert.equal(canonicalPath("/%63alendar/%2564emo"), "/calendar/demo");
  assert.equal(canonicalPath("/%E0%A4"), "/%e0%a4");
});

Deno.test("rate limits: a window opens at the first hit, counts every concurrent hit, and reopens after it ends", async () => {
  const { countHit } = await import("../store/rate-limits.ts");
  const kv = await Deno.openKv(":memory:");
  const hits = await Promise.all(
    Array.from({ length: 20 }, () => countHit(kv, "booking", "1.2.3.4", 1_000, 60_000)),
  );
  // Every hit is counted once and gets its own place: 1, 2, …, 20 (none lost, none counted twice).
  assert.deepEqual(
    hits.map((h) => h.count).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.equal(hits[0].resetAtMs, 61_000);
  assert.equal((await countHit(kv, "booking", "1.2.3.4", 60_999, 60_000)).count, 21);
  assert.equal((await countHit(kv, "booking", "1.2.3.4", 61_000, 60_000)).count, 1);
  assert.equal((await countHit(kv, "booking", "5.6.7.8", 61_000, 60_000)).count, 1);
  kv.close();
});

Deno.test("rate limits: hits from two processes on one store are each counted once, with their own places", async () => {
  const { countHit } = await import("../store/rate-limits.ts");
  const { guardKv } = await import("../../../../tests/support/kv-guard.ts");
  // Two processes on one KV: two handles, each with its own queue of hits (conflicting writes).
  const raw = await Deno.openKv(":memory:");
  const a = guardKv(raw);
  const b = guardKv(raw);
  try {
    const hits = await Promise.all(
      Array.from(
        { length: 120 },
        (_, i) => countHit(i % 2 ? a : b, "page", "::1/64", 5_000, 60_000),
      ),
    );
    assert.deepEqual(
      hits.map((h) => h.count).sort((x, y) => x - y),
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
  } finally {
    raw.close();
  }
});
