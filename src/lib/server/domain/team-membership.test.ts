import assert from "node:assert/strict";
import { hostsTakingPart, leftWithoutHosts } from "./team-membership.ts";
import type { TeamRecord } from "./model/records.ts";

const team = (...ids: string[]): Pick<TeamRecord, "members"> => ({
  members: ids.map((userId) => ({
    userId,
    role: "member",
    weight: 1,
    priority: 2,
    joinedAtMs: 0,
  })),
});

Deno.test("hostsTakingPart: an event type's ticked hosts who are members now, in its order; one who left takes no part", () => {
  assert.deepEqual(hostsTakingPart(team("ann", "ben"), { hostIds: ["ben", "cleo", "ann"] }), [
    "ben",
    "ann",
  ]);
  assert.deepEqual(hostsTakingPart(team("ann"), { hostIds: ["cleo"] }), []);
  assert.deepEqual(hostsTakingPart(team("ann"), {}), []);
});

Deno.test("leftWithoutHosts: the event types a removal took their last host from — not those someone else still hosts, nor those the member never hosted", () => {
  const types = [
    { title: "Intro", hostIds: ["cleo"] },
    { title: "Call", hostIds: ["ann", "cleo"] },
    { title: "Demo", hostIds: ["ann"] },
    { title: "Old", hostIds: ["dan"] },
  ];
  // After Cleo's removal: Ann stays; Dan left long ago.
  const after = team("ann");
  assert.deepEqual(leftWithoutHosts(after, "cleo", types).map((t) => t.title), ["Intro"]);
  assert.deepEqual(leftWithoutHosts(team(), "ann", types).map((t) => t.title), ["Call", "Demo"]);
});
