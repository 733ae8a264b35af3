import assert from "node:assert/strict";
import { decideLocation, offeredLocations } from "./locations.ts";
import type { Location } from "./model/records.ts";

const jitsi: Location = { kind: "jitsi", value: "" };
const call: Location = { kind: "guest_phone", value: "" };
const office: Location = { kind: "in_person", value: "Main St 1" };

Deno.test("offeredLocations: an event type from before issue 27 offers its one location", () => {
  assert.deepEqual(offeredLocations({ location: office }), [office]);
  assert.deepEqual(offeredLocations({ location: { kind: "none", value: "" } }), []);
  assert.deepEqual(offeredLocations({}), []);
  // The list wins over the old single field.
  assert.deepEqual(offeredLocations({ location: office, locations: [jitsi, call] }), [jitsi, call]);
});

Deno.test("decideLocation: each booking gets its own Jitsi room on the host's server", () => {
  const a = decideLocation([jitsi], { random: "AbC-d_ef0123456789xyzQ" });
  const b = decideLocation([{ kind: "jitsi", value: "https://meet.example.org/" }], {
    random: "Zz9-8_7yxwvutsrqpo",
  });
  assert.deepEqual(a, {
    ok: true,
    location: { kind: "jitsi", value: "https://meet.jit.si/InvitoAbC-d_ef0123456789xyzQ" },
  });
  assert.deepEqual(b, {
    ok: true,
    location: { kind: "jitsi", value: "https://meet.example.org/InvitoZz9-8_7yxwvutsrqpo" },
  });
});

Deno.test("decideLocation: a Jitsi server saved with a query or fragment still gives a room", () => {
  // Saved before the editor refused them: the room goes after the server's path, not into the
  // query or fragment (where it would name no room).
  for (
    const server of [
      "https://meet.example.org/team/#config.prejoinPageEnabled=false",
      "https://meet.example.org/team?lang=de",
    ]
  ) {
    assert.deepEqual(decideLocation([{ kind: "jitsi", value: server }], { random: "Abc" }), {
      ok: true,
      location: { kind: "jitsi", value: "https://meet.example.org/team/InvitoAbc" },
    }, server);
  }
});

Deno.test("decideLocation: with several places the guest must pick one that is offered", () => {
  const offered = [jitsi, call, office];
  for (const choice of [undefined, "", "3", "-1", "x", "01"]) {
    const res = decideLocation(offered, { choice, random: "r" });
    assert.equal(res.ok, false, String(choice));
    if (!res.ok) assert.match(res.errors.location, /answers\.choose_location/);
  }
  assert.deepEqual(decideLocation(offered, { choice: "2", random: "r" }), {
    ok: true,
    location: office,
  });
});

Deno.test("decideLocation: a call to the guest needs their valid number", () => {
  const no = decideLocation([call], { random: "r" });
  assert.equal(no.ok, false);
  if (!no.ok) assert.match(no.errors.phone, /answers\.phone_required/);
  for (const phone of ["abc", "+(((((", "12"]) {
    const bad = decideLocation([call], { phone, random: "r" });
    assert.equal(bad.ok, false, phone);
    if (!bad.ok) assert.match(bad.errors.phone, /answers\.phone$|answers\.phone\|/);
  }
  assert.deepEqual(decideLocation([call], { phone: " +49 30 1234567 ", random: "r" }), {
    ok: true,
    location: { kind: "guest_phone", value: "+49 30 1234567" },
  });
});
