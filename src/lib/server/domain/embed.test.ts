import assert from "node:assert/strict";
import {
  frameAncestors,
  parentEventPolicy,
  parseOriginList,
  parseThankYouUrl,
  REDIRECT_PARAMS,
  thankYouLocation,
} from "./embed.ts";

Deno.test("embed allowlist: origins are normalised and anything that could break a header is refused", () => {
  assert.deepEqual(
    parseOriginList("https://Example.com\nhttp://localhost:3000, https://example.com"),
    {
      ok: true,
      origins: ["https://example.com", "http://localhost:3000"],
    },
  );
  for (
    const bad of [
      "example.com",
      "javascript:alert(1)",
      "https://x.com/path",
      "https://a.com; script-src *",
      "https://a.com;",
      "ftp://x.com",
    ]
  ) {
    assert.equal(parseOriginList(bad).ok, false, bad);
  }
});

Deno.test("embed allowlist: no setting means any site, an empty list means none", () => {
  assert.equal(frameAncestors(undefined), "*");
  assert.equal(frameAncestors(["*", "https://a.com"]), "*");
  // Invito's own origin may always frame it (the Embed page's live preview).
  assert.equal(
    frameAncestors(["https://a.com", "https://b.com"]),
    "'self' https://a.com https://b.com",
  );
  assert.equal(frameAncestors([]), "'self'");
});

Deno.test("embed events: a list of sites gets exact targets; '*' or no list never carries guest data", () => {
  const self = "https://invito.example";
  assert.deepEqual(
    parentEventPolicy(["https://shop.example"], self, { shareGuestData: true }),
    { targets: [self, "https://shop.example"], personal: true, navigateParent: false },
  );
  assert.deepEqual(
    parentEventPolicy(["https://shop.example", "*"], self, { shareGuestData: true }),
    { targets: ["*"], personal: false, navigateParent: false },
  );
  assert.deepEqual(
    parentEventPolicy(undefined, self, { shareGuestData: true, navigateParent: true }),
    { targets: ["*"], personal: false, navigateParent: true },
  );
  assert.equal(parentEventPolicy(["https://a.example"], self, {}).personal, false);
});

Deno.test("thank-you address: https anywhere, http only on the host's own sites, nothing else", () => {
  const own = { selfOrigin: "http://invito.test", origins: ["http://localhost:3000"] };
  assert.deepEqual(parseThankYouUrl("", own), { ok: true, url: null });
  assert.deepEqual(parseThankYouUrl(" https://shop.example/thanks?x=1 ", own), {
    ok: true,
    url: "https://shop.example/thanks?x=1",
  });
  assert.equal(parseThankYouUrl("http://localhost:3000/t", own).ok, true);
  assert.equal(parseThankYouUrl("http://invito.test/x", own).ok, true);
  for (
    const bad of [
      "http://shop.example/thanks",
      "javascript:alert(1)",
      "data:text/html,hi",
      "https://user:pw@shop.example/",
      "shop.example/thanks",
      "https://x.example/" + "a".repeat(1000),
    ]
  ) {
    assert.equal(parseThankYouUrl(bad, own).ok, false, bad);
  }
});

Deno.test("thank-you address: the documented booking parameters are appended, nothing personal", () => {
  const u = new URL(
    thankYouLocation("https://shop.example/thanks?src=ad", {
      bookingId: "01J",
      eventType: "intro",
      startMs: Date.UTC(2026, 11, 1, 9),
      endMs: Date.UTC(2026, 11, 1, 9, 30),
      status: "CONFIRMED",
    }),
  );
  assert.equal(u.searchParams.get("src"), "ad");
  assert.deepEqual([...u.searchParams.keys()].slice(1), [...REDIRECT_PARAMS]);
  assert.equal(u.searchParams.get("invito_start"), "2026-12-01T09:00:00Z");
  assert.equal(u.searchParams.get("invito_status"), "confirmed");
});
