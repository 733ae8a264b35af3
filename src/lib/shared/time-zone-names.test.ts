import assert from "node:assert/strict";
import { rawTimeZones } from "@vvo/tzdb";
import { ianaZoneName, legacyZoneNames } from "./time-zone-names.ts";
import { prettyZone, zoneCityOffset } from "./format.ts";
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

Deno.test("zone names a guest reads: a city as English writes it, a fixed-offset zone by the offset it has (not POSIX's reversed sign)", () => {
  const noon = Date.UTC(2026, 10, 30, 12);
  // The settings line said "St Johns", "DumontDUrville" and "GMT+5 (GMT-5)". Offsets have a
  // minus sign: a line broke after the hyphen of "GMT-5".
  assert.equal(zoneCityOffset("America/St_Johns", noon), "St. John’s (GMT\u22123:30)");
  assert.equal(zoneCityOffset("America/Sao_Paulo", noon), "São Paulo (GMT\u22123)");
  assert.equal(zoneCityOffset("America/Indiana/Knox", noon), "Knox, Indiana (GMT\u22126)");
  assert.equal(zoneCityOffset("Asia/Saigon", noon), "Ho Chi Minh City (GMT+7)");
  assert.equal(zoneCityOffset("Etc/GMT+5", noon), "GMT\u22125");
  assert.equal(zoneCityOffset("Etc/GMT-14", noon), "GMT+14");
  assert.equal(zoneCityOffset("America/New_York", noon), "New York (GMT\u22125)");
  assert.equal(zoneCityOffset("UTC", noon), "UTC");
  // Beside a time ("10:00 (GMT-5)"), a fixed-offset zone reads as the offset it is.
  assert.equal(prettyZone("Etc/GMT+5"), "GMT\u22125");
  assert.equal(prettyZone("Etc/GMT"), "Etc/GMT");
  assert.equal(prettyZone("America/St_Johns"), "America/St Johns");
  // Every city named is one the runtime knows as a zone of that name.
  for (const z of Intl.supportedValuesOf("timeZone")) {
    const line = zoneCityOffset(z, noon);
    assert.ok(line.length > 0 && !line.includes("_"), `${z}: ${line}`);
  }
});
