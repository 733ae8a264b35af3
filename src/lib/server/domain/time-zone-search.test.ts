import assert from "node:assert/strict";
import { searchTimeZones, suggestTimeZones } from "./time-zone-search.ts";

const NOV = Date.parse("2026-11-22T12:00:00Z");
const JUL = Date.parse("2026-07-01T12:00:00Z");
const exact = (q: string, locale = "en", nowMs = NOV) => {
  const r = searchTimeZones(q, { nowMs, locale });
  return r.kind === "exact" ? r.zone : r.kind;
};
const choices = (q: string, locale = "en", nowMs = NOV) => {
  const r = searchTimeZones(q, { nowMs, locale });
  assert.equal(r.kind, "choose", `${q}: ${JSON.stringify(r)}`);
  return r.kind === "choose" ? r.matches.map((m) => m.zone) : [];
};

Deno.test("time-zone search: cities and zone ids, typed as people type them", () => {
  assert.equal(exact("Tokyo"), "Asia/Tokyo");
  assert.equal(exact("new york"), "America/New_York");
  assert.equal(exact("New_York"), "America/New_York");
  assert.equal(exact("  san francisco "), "America/Los_Angeles");
  assert.equal(exact("europe/berlin"), "Europe/Berlin");
  assert.equal(exact("Zürich"), "Europe/Zurich");
  // Two places of that name: the person picks, the bigger first.
  assert.deepEqual(choices("Sydney").slice(0, 2), ["Australia/Sydney", "America/Halifax"]);
});

Deno.test("time-zone search: countries in English or the reader's language, and country codes", () => {
  assert.equal(exact("Japan"), "Asia/Tokyo");
  assert.equal(exact("Deutschland", "de"), "Europe/Berlin");
  assert.equal(exact("Allemagne", "fr"), "Europe/Berlin");
  assert.equal(choices("United States")[0], "America/New_York");
  assert.equal(choices("US")[0], "America/New_York");
  assert.equal(choices("India")[0], "Asia/Kolkata");
});

Deno.test("time-zone search: abbreviations, standard or summer spelling, are never the fixed legacy zones", () => {
  assert.equal(choices("EST")[0], "America/New_York");
  assert.equal(choices("est")[0], "America/New_York");
  assert.ok(choices("PST").includes("America/Los_Angeles"));
  assert.ok(choices("CEST").includes("Europe/Berlin"));
  assert.ok(choices("IST").includes("Asia/Kolkata"));
  assert.ok(choices("IST").includes("Europe/Dublin"));
});

Deno.test("time-zone search: offsets match the zones at that offset now (DST included)", () => {
  assert.ok(choices("UTC+2", "en", NOV).includes("Europe/Athens"));
  assert.ok(!choices("UTC+2", "en", NOV).includes("Europe/Berlin"), "Berlin is +1 in November");
  assert.ok(choices("GMT+2", "en", JUL).includes("Europe/Berlin"), "and +2 in July");
  assert.deepEqual(new Set(choices("+05:30")), new Set(["Asia/Kolkata", "Asia/Colombo"]));
  assert.ok(choices("gmt - 5").includes("America/Bogota"));
  assert.equal(exact("UTC"), "UTC");
  assert.equal(exact("gmt"), "UTC");
});

Deno.test("time-zone search: nothing found is said, not guessed", () => {
  for (const q of ["", "   ", "xyzzy", "Mars/Olympus", "UTC+99", "🙂".repeat(50)]) {
    assert.equal(exact(q), "none", q);
  }
});

Deno.test("suggestTimeZones: friendly rows with everyday names and UTC offsets, by city or country", () => {
  const nowMs = Date.UTC(2026, 0, 15, 12); // winter in the north
  const tokyo = suggestTimeZones("japan", { nowMs, locale: "en" });
  assert.equal(tokyo[0].zone, "Asia/Tokyo");
  assert.match(tokyo[0].label, /^Tokyo — Japan.*, UTC\+9$/);
  assert.deepEqual(suggestTimeZones("Tokyo", { nowMs }).map((s) => s.zone), ["Asia/Tokyo"]);
  const berlin = suggestTimeZones("Berlin", { nowMs, locale: "de" })[0];
  assert.equal(berlin.zone, "Europe/Berlin");
  assert.match(berlin.label, /^Berlin — .*, UTC\+1$/);
  // Kolkata is half an hour off the hour.
  assert.match(suggestTimeZones("Kolkata", { nowMs })[0].label, /UTC\+5:30$/);
  const sydneys = suggestTimeZones("Syd", { nowMs, locale: "en" });
  assert.ok(sydneys.length > 1, "two Sydneys to choose from");
  // Each row says which Sydney: Australia's under its own name, Nova Scotia's by its country.
  assert.match(sydneys.find((x) => x.zone === "Australia/Sydney")!.label, /^Sydney — .*, UTC\+11$/);
  const other = sydneys.find((x) => x.zone !== "Australia/Sydney")!;
  assert.match(other.label, /^Sydney, Canada — .*, UTC-4$/);
  assert.deepEqual(suggestTimeZones("xyzzy", { nowMs }), []);
});

Deno.test("time-zone search: cities by their German, French and Spanish names, with or without accents, whatever the page's language", () => {
  const cases: [string, string][] = [
    ["Wien", "Europe/Vienna"],
    ["München", "Europe/Berlin"],
    ["Munchen", "Europe/Berlin"],
    ["Tokio", "Asia/Tokyo"],
    ["Moskau", "Europe/Moscow"],
    ["Kopenhagen", "Europe/Copenhagen"],
    ["Lissabon", "Europe/Lisbon"],
    ["Londres", "Europe/London"],
    ["Viena", "Europe/Vienna"],
    ["Nueva York", "America/New_York"],
    ["Pékin", "Asia/Shanghai"],
    ["Pekin", "Asia/Shanghai"],
    ["Peking", "Asia/Shanghai"],
    ["Varsovie", "Europe/Warsaw"],
    ["Mailand", "Europe/Rome"],
    ["Genf", "Europe/Zurich"],
    ["Ginebra", "Europe/Zurich"],
    ["Le Cap", "Africa/Johannesburg"],
  ];
  for (const [q, zone] of cases) {
    for (const locale of ["de", "fr", "es", "en"]) {
      assert.equal(exact(q, locale), zone, `${q} (${locale})`);
    }
  }
  // The English names still work, and a name begun is offered.
  assert.equal(exact("Vienna"), "Europe/Vienna");
  assert.equal(exact("Kopen", "de"), "Europe/Copenhagen");
});

Deno.test("suggestTimeZones: a city typed in the reader's language is named so in its row", () => {
  const nowMs = Date.UTC(2026, 0, 15, 12);
  const wien = suggestTimeZones("Wien", { nowMs, locale: "de" });
  assert.deepEqual(wien.map((s) => s.zone), ["Europe/Vienna"]);
  assert.match(wien[0].label, /^Wien — .*, UTC\+1$/);
  const munich = suggestTimeZones("münchen", { nowMs, locale: "de" });
  assert.equal(munich[0].zone, "Europe/Berlin");
  assert.match(munich[0].label, /^München, Deutschland — .*, UTC\+1$/);
  const pekin = suggestTimeZones("Pekin", { nowMs, locale: "fr" });
  assert.equal(pekin[0].zone, "Asia/Shanghai");
  assert.match(pekin[0].label, /^Pékin, Chine — .*, UTC\+8$/);
  // An English reader keeps English names.
  assert.match(suggestTimeZones("Vienna", { nowMs, locale: "en" })[0].label, /^Vienna — /);
});

Deno.test("time-zone search: cities people looked for in vain, and a city an old zone name shares with its new one found once", () => {
  // Big cities on another city's time (OTHER_CITIES), in the reader's language too.
  assert.equal(exact("Seattle"), "America/Los_Angeles");
  assert.equal(exact("Boston"), "America/New_York");
  assert.equal(exact("Austin"), "America/Chicago");
  assert.equal(exact("Bangalore"), "Asia/Kolkata");
  assert.equal(exact("Chennai"), "Asia/Kolkata");
  assert.equal(exact("Shenzhen"), "Asia/Shanghai");
  assert.equal(exact("Neufundland", "de"), "America/St_Johns");
  assert.equal(exact("Terre-Neuve", "fr"), "America/St_Johns");
  assert.equal(exact("Mallorca", "de"), "Europe/Madrid");
  assert.equal(exact("Teneriffa", "de"), "Atlantic/Canary");
  // "Asia/Istanbul" is an old name of Europe/Istanbul: one Istanbul, not two to choose from;
  // "Asia/Tel_Aviv" of Asia/Jerusalem: Tel Aviv is the zone of Jerusalem.
  assert.equal(exact("Istanbul"), "Europe/Istanbul");
  assert.equal(exact("Tel Aviv"), "Asia/Jerusalem");
});
