import assert from "node:assert/strict";
import { accountState, isActive, isAdmin, parseAdminList } from "./admin.ts";
import type { UserRecord } from "./model/records.ts";
import { describeConfig, parseConfig } from "../config.ts";

const user = (over: Partial<UserRecord> = {}): UserRecord => ({
  v: 1,
  id: "01J00000000000000000000000",
  email: "ops@example.org",
  emailVerifiedMs: 1,
  name: "Ops",
  username: "ops",
  timeZone: "UTC",
  image: null,
  createdAtMs: 0,
  ...over,
});

Deno.test("parseAdminList: addresses, lower-cased and once each; domains and junk are refused with their text", () => {
  assert.deepEqual(parseAdminList(" Ops@Example.org, ann@example.org,ops@example.org, "), {
    ok: true,
    admins: ["ops@example.org", "ann@example.org"],
  });
  assert.deepEqual(parseAdminList(""), { ok: true, admins: [] });
  const bad = parseAdminList("@example.org, nobody");
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.error : "", /not understood: @example\.org, nobody/);
});

Deno.test("isAdmin: a listed, verified, open and unsuspended account only", () => {
  const admins = ["ops@example.org"];
  assert.equal(isAdmin(admins, user()), true);
  assert.equal(isAdmin(admins, user({ email: "OPS@example.org" })), true);
  assert.equal(isAdmin(admins, null), false);
  assert.equal(isAdmin([], user()), false);
  assert.equal(isAdmin(admins, user({ email: "ann@example.org" })), false);
  assert.equal(isAdmin(admins, user({ emailVerifiedMs: null })), false);
  assert.equal(isAdmin(admins, user({ suspendedAtMs: 5 })), false);
  assert.equal(isAdmin(admins, user({ closedAtMs: 5 })), false);
});

Deno.test("accountState/isActive: closed wins over suspended", () => {
  assert.equal(accountState(user()), "active");
  assert.equal(accountState(user({ suspendedAtMs: 1 })), "suspended");
  assert.equal(accountState(user({ suspendedAtMs: 1, closedAtMs: 2 })), "closed");
  assert.equal(isActive(user({ suspendedAtMs: 1 })), false);
});

Deno.test("describeConfig: every secret reads only as set or not set; URLs and lists stay readable", () => {
  const parsed = parseConfig({
    INVITO_SESSION_SECRET: "s".repeat(40),
    INVITO_SMTP_HOST: "mail.example.org",
    INVITO_SMTP_PASSWORD: "hunter2hunter2",
    INVITO_METRICS_TOKEN: "metrics-token-0123456789",
    INVITO_GOOGLE_CLIENT_ID: "gid",
    INVITO_GOOGLE_CLIENT_SECRET: "gsecret",
    INVITO_ADMINS: "ops@example.org",
  });
  assert.ok(parsed.ok);
  const lines = describeConfig(parsed.config);
  const text = lines.map(([k, v]) => `${k}=${v}`).join("\n");
  for (const secret of ["s".repeat(40), "hunter2hunter2", "metrics-token-0123456789", "gsecret"]) {
    assert.ok(!text.includes(secret), `leaks ${secret.slice(0, 6)}`);
  }
  const get = (k: string) => lines.find(([name]) => name === k)?.[1];
  assert.equal(get("sessionSecret"), "••••••••");
  assert.equal(get("smtp.password"), "••••••••");
  assert.equal(get("google.clientSecret"), "••••••••");
  assert.equal(get("google.tokenUrl"), "https://oauth2.googleapis.com/token");
  assert.equal(get("admins"), "ops@example.org");
  assert.equal(get("oidc"), null);
});
