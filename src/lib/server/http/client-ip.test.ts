import assert from "node:assert/strict";
import { clientIp } from "./client-ip.ts";
import { parseRateLimitSetting, rateGroupFor } from "../domain/rate-limit.ts";

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

Deno.test("rate limits: requests are grouped by what they do", () => {
  assert.equal(rateGroupFor("POST", "/calendar/demo/intro-call", "?/book"), "booking");
  assert.equal(rateGroupFor("POST", "/widget/demo/intro-call", "?/book"), "booking");
  // A team's pages and widget count like a host's.
  assert.equal(rateGroupFor("POST", "/team/sales/call", "?/book"), "booking");
  assert.equal(rateGroupFor("POST", "/widget/team/sales/call", "?/book"), "booking");
  assert.equal(rateGroupFor("GET", "/team/sales/", ""), "page");
  assert.equal(rateGroupFor("POST", "/team-invitation/abc", ""), null);
  assert.equal(rateGroupFor("POST", "/booking/abc/confirm", ""), "token");
  assert.equal(rateGroupFor("POST", "/signin", "?/email"), "signin");
  assert.equal(rateGroupFor("GET", "/calendar/demo/", ""), "page");
  assert.equal(rateGroupFor("GET", "/dashboard", ""), null);
});

Deno.test("rate limits: a window opens at the first hit, counts every concurrent hit, and reopens after it ends", async () => {
  const { countHit } = await import("../store/rate-limits.ts");
  const kv = await Deno.openKv(":memory:");
  const hits = await Promise.all(
    Array.from({ length: 20 }, () => countHit(kv, "booking", "1.2.3.4", 1_000, 60_000)),
  );
  // Every hit is counted (none lost to a race); each sees at least as many as came before it.
  assert.equal(Math.max(...hits.map((h) => h.count)), 20);
  assert.ok(hits.every((h) => h.count >= 1 && h.count <= 20));
  assert.equal(hits[0].resetAtMs, 61_000);
  assert.equal((await countHit(kv, "booking", "1.2.3.4", 60_999, 60_000)).count, 21);
  assert.equal((await countHit(kv, "booking", "1.2.3.4", 61_000, 60_000)).count, 1);
  assert.equal((await countHit(kv, "booking", "5.6.7.8", 61_000, 60_000)).count, 1);
  kv.close();
});
