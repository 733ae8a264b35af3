import assert from "node:assert/strict";
import { canonicalTimeZone, isValidTimeZone, listTimeZones } from "./time-zone.ts";

Deno.test("isValidTimeZone: accepts IANA zones, aliases and UTC", () => {
  for (
    const zone of ["Europe/Berlin", "Australia/Lord_Howe", "UTC", "Asia/Calcutta", "Etc/GMT+5"]
  ) {
    assert.ok(isValidTimeZone(zone), zone);
  }
});

Deno.test("isValidTimeZone: refuses unknown names, offsets and ISO strings", () => {
  for (
    const zone of ["", "Mars/Olympus_Mons", "+01:00", "-05:00", "2020-01-01T00:00[Europe/Berlin]"]
  ) {
    assert.ok(!isValidTimeZone(zone), zone);
  }
});

Deno.test("canonicalTimeZone: fixes the spelling of a valid zone, null for an invalid one", () => {
  assert.equal(canonicalTimeZone("europe/berlin"), "Europe/Berlin");
  assert.equal(canonicalTimeZone("Nowhere/City"), null);
});

Deno.test("listTimeZones: sorted, includes UTC, and every entry is valid", () => {
  const zones = listTimeZones();
  assert.ok(zones.includes("UTC"));
  assert.ok(zones.includes("Europe/Berlin"));
  assert.deepEqual(zones, [...zones].sort());
  assert.equal(new Set(zones).size, zones.length);
  for (const zone of zones) assert.ok(isValidTimeZone(zone), zone);
});
