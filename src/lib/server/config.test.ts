import assert from "node:assert/strict";
import { describeConfig, describeDuration, parseConfig, parseDuration } from "./config.ts";

Deno.test("config: without INVITO_BASE_URL, links and the origin check follow the listening port", () => {
  const own = parseConfig({ INVITO_LISTEN_ADDR: ":3000" });
  assert.ok(own.ok);
  assert.equal(own.config.baseUrl.href, "http://localhost:3000/");
  const local = parseConfig({ INVITO_LISTEN_ADDR: "127.0.0.1:9123" });
  assert.ok(local.ok);
  assert.equal(local.config.baseUrl.href, "http://127.0.0.1:9123/");
  const set = parseConfig({ INVITO_LISTEN_ADDR: ":3000", INVITO_BASE_URL: "https://meet.example" });
  assert.ok(set.ok);
  assert.equal(set.config.baseUrl.href, "https://meet.example/");
});

Deno.test("config: no environment at all gives a working default setup", () => {
  const res = parseConfig({});
  assert.ok(res.ok);
  assert.equal(res.config.baseUrl.href, "http://localhost:8080/");
  assert.deepEqual(res.config.listen, { hostname: "0.0.0.0", port: 8080 });
  assert.equal(res.config.dbPath, "./data/invito.kv");
  assert.equal(res.config.bookingTtlMs, 24 * 3_600_000);
  assert.equal(res.config.syncIntervalMs, 15 * 60_000);
  assert.equal(res.config.smtp, null);
  assert.equal(res.config.oidc, null);
  assert.equal(res.config.clientTimeoutMs, 10_000);
});

Deno.test("config: the slow-client timeout is a duration", () => {
  const ok = parseConfig({ INVITO_CLIENT_TIMEOUT: "30s" });
  assert.ok(ok.ok && ok.config.clientTimeoutMs === 30_000);
  const bad = parseConfig({ INVITO_CLIENT_TIMEOUT: "soon" });
  assert.ok(!bad.ok && bad.errors.some((e) => e.includes("INVITO_CLIENT_TIMEOUT")));
});

Deno.test("config: every problem is listed at once", () => {
  const res = parseConfig({
    INVITO_BASE_URL: "ftp://x",
    INVITO_LISTEN_ADDR: "eighty",
    INVITO_BOOKING_TTL: "1 day",
    INVITO_SESSION_SECRET: "short",
    INVITO_SMTP_PORT: "abc",
  });
  assert.ok(!res.ok);
  assert.equal(res.errors.length, 5, res.errors.join("\n"));
  assert.ok(res.errors.some((e) => e.includes("INVITO_BOOKING_TTL")));
});

Deno.test("config: OIDC settings must come together", () => {
  const res = parseConfig({ INVITO_OIDC_ISSUER: "https://id.example" });
  assert.ok(!res.ok);
  assert.match(res.errors[0], /must be set together/);
});

Deno.test("config: durations accept 90s, 15m, 24h and refuse the rest", () => {
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("15m"), 900_000);
  assert.equal(parseDuration("24h"), 86_400_000);
  for (const bad of ["", "0m", "15", "m", "-5m", "1.5h"]) {
    assert.equal(parseDuration(bad), null, bad);
  }
  assert.equal(describeDuration(86_400_000), "24 hours");
  assert.equal(describeDuration(7 * 86_400_000), "7 days");
  assert.equal(describeDuration(90_000), "90 seconds");
});

Deno.test("config: operations settings have safe defaults and say what is wrong", () => {
  const def = parseConfig({});
  assert.ok(def.ok);
  assert.equal(def.config.logFormat, "readable");
  assert.equal(def.config.metricsToken, null, "metrics are off without a token");
  assert.equal(def.config.shutdownGraceMs, 8_000);
  assert.deepEqual(def.config.backup, { dir: null, intervalMs: 86_400_000, keep: 7 });
  const set = parseConfig({
    INVITO_LOG_FORMAT: "json",
    INVITO_METRICS_TOKEN: "a-long-enough-token-1234",
    INVITO_SHUTDOWN_TIMEOUT: "20s",
    INVITO_BACKUP_DIR: "/data/backups",
    INVITO_BACKUP_INTERVAL: "6h",
    INVITO_BACKUP_KEEP: "3",
  });
  assert.ok(set.ok);
  assert.deepEqual(set.config.backup, { dir: "/data/backups", intervalMs: 6 * 3_600_000, keep: 3 });
  const bad = parseConfig({
    INVITO_LOG_FORMAT: "xml",
    INVITO_METRICS_TOKEN: "short",
    INVITO_BACKUP_KEEP: "0",
    INVITO_BACKUP_INTERVAL: "often",
  });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors.sort(), [
    'INVITO_BACKUP_INTERVAL must be a duration like "90s", "15m" or "24h"',
    "INVITO_BACKUP_KEEP must be at least 1",
    'INVITO_LOG_FORMAT must be "readable" or "json"',
    "INVITO_METRICS_TOKEN must be at least 16 characters",
  ]);
});

Deno.test("describeConfig: INVITO_RATE_LIMIT=off reads as switched off (false), not as not set; the default shows each group's limit", () => {
  const off = parseConfig({ INVITO_RATE_LIMIT: "off" });
  assert.ok(off.ok);
  const shown = new Map(describeConfig(off.config));
  assert.equal(shown.get("rateLimits"), false);
  const on = parseConfig({});
  assert.ok(on.ok);
  const lines = new Map(describeConfig(on.config));
  assert.equal(lines.get("rateLimits"), undefined, "groups are listed one by one");
  assert.equal(lines.get("rateLimits.booking.limit"), "10");
  assert.equal(lines.get("smtp"), null, "other settings that are unset still say so");
});

Deno.test("config: a remote INVITO_DB_PATH needs DENO_KV_ACCESS_TOKEN (one error naming both variables); a file or :memory: does not", () => {
  for (const remote of ["https://api.deno.com/databases/x/connect", "http://127.0.0.1:4512"]) {
    for (const token of [undefined, ""]) {
      const res = parseConfig({ INVITO_DB_PATH: remote, DENO_KV_ACCESS_TOKEN: token });
      assert.ok(!res.ok, `${remote} without a token`);
      assert.deepEqual(res.errors, [
        "INVITO_DB_PATH names a remote KV: set DENO_KV_ACCESS_TOKEN to its access token",
      ]);
    }
    assert.ok(parseConfig({ INVITO_DB_PATH: remote, DENO_KV_ACCESS_TOKEN: "t0ken" }).ok);
  }
  for (const local of ["./data/invito.kv", "/var/lib/invito/invito.kv", ":memory:", undefined]) {
    assert.ok(parseConfig({ INVITO_DB_PATH: local }).ok, String(local));
  }
  // Listed with the other problems, so one pass over the .env fixes them all.
  const both = parseConfig({ INVITO_DB_PATH: "https://kv.example", INVITO_LISTEN_ADDR: "eighty" });
  assert.ok(!both.ok);
  assert.equal(both.errors.length, 2, both.errors.join("\n"));
  assert.ok(both.errors.some((e) => e.includes("DENO_KV_ACCESS_TOKEN")));
});
