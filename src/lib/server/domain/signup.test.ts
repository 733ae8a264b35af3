import assert from "node:assert/strict";
import { mayCreateAccount, parseSignupPolicy } from "./signup.ts";

Deno.test("signup policy: open by default, closed to everyone, or a list of addresses and @domains", () => {
  const open = parseSignupPolicy("");
  assert.ok(open.ok && mayCreateAccount(open.policy, "anyone@example.org"));
  const closed = parseSignupPolicy("closed");
  assert.ok(closed.ok && !mayCreateAccount(closed.policy, "anyone@example.org"));

  const list = parseSignupPolicy(" Ann@Example.org , @team.example ");
  assert.ok(list.ok);
  const p = list.policy;
  assert.ok(mayCreateAccount(p, "ann@example.org"));
  assert.ok(mayCreateAccount(p, "ANN@example.ORG"), "addresses compare without case");
  assert.ok(mayCreateAccount(p, "bo@team.example"));
  assert.ok(!mayCreateAccount(p, "bo@sub.team.example"), "a domain entry is that domain only");
  assert.ok(!mayCreateAccount(p, "ann@example.org.evil.test"));
  assert.ok(!mayCreateAccount(p, "mallory@example.org"));
  assert.ok(!mayCreateAccount(p, "x@evilteam.example"));
  assert.ok(!mayCreateAccount(p, null), "an identity without an address cannot be listed");
});

Deno.test("signup policy: what cannot be read is named, not guessed", () => {
  const r = parseSignupPolicy("ann@example.org, team.example, @");
  assert.ok(!r.ok);
  assert.match(r.error, /not understood: team\.example, @/);
});
