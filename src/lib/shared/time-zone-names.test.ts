import assert from "node:assert/strict";
import { rawTimeZones } from "@vvo/tzdb";
import { ianaZoneName, legacyZoneNames } from "./time-zone-names.ts";
import { prettyZone } from "./format.ts";
import { canonicalTimeZone, listTimeZones } from "../server/domain/time-zone.ts";
import { Temporal } from "../server/domain/temporal.ts";

Deno.test("canonicalTimeZone: a host who picks Asia/Kolkata keeps Asia/Kolkata, whatever Intl says", () => {
  assert.equal(canonicalTimeZone("Asia/Kolkata"), "Asia/Kolkata");
  assert.equal(canonicalTimeZone("Asia/Calcutta"), "Asia/Kolkata");
  assert.equal(canonicalTimeZone("asia/kolkata"), "Asia/Kolkata");
  assert.equal(canonicalTimeZone("Europe/Kiev"), "Europe/Kyiv");
  assert.equal(canonicalTimeZone("europe/berlin"), "Europe/Berlin");
  assert.equal(canonicalTimeZone("Mars/Olympus"), null);
  assert.equal(prettyZone("Asia/Calcutta"), "Asia/Kolkata");
  assert.equal(prettyZone("America/New_York"), "America/New York");
});

Deno.test("time zone names: every zone offered is its current IANA name, and every old name Intl answers with is known", () => {
  const iana = new Set(rawTimeZones.flatMap((z) => [z.name, ...z.group]));
  for (const [old, current] of legacyZoneNames()) {
    assert.ok(iana.has(current), `${current} is an IANA zone`);
    // Both spellings mean the same rules to Intl and Temporal.
    const at = Date.UTC(2026, 6, 1);
    const off = (tz: string) =>
      Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(tz).offsetNanoseconds;
    assert.equal(off(current), off(old), `${old} = ${current}`);
  }
  const offered = listTimeZones();
  for (const [old, current] of legacyZoneNames()) {
    if (Intl.supportedValuesOf("timeZone").includes(old)) {
      assert.ok(!offered.includes(old), `${old} is not offered`);
      assert.ok(offered.includes(current), `${current} is offered`);
    }
  }
  // Whatever Intl resolves a zone to comes out under a name the IANA database has.
  for (const z of Intl.supportedValuesOf("timeZone")) {
    const name = canonicalTimeZone(z)!;
    assert.ok(iana.has(name) || name === "UTC", `${z} → ${name}`);
  }
  assert.equal(ianaZoneName("Europe/Berlin"), "Europe/Berlin");
});
