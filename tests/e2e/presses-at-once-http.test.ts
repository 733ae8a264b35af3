/**
 * A host pressing one button of the profile page many times at once (a double-clicking mouse, a
 * slow connection's impatient presses, the form sent from several tabs): every press is a change
 * of one record, and each commit one press loses is another press's change landing, so every
 * press is saved and answered as saved. A press that had lost a few times was answered 500
 * ("new feed URL", "save" of the profile) or told its account was missing (a new photo).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";

const AT_ONCE = 30;

/** What the profile page's username field holds (the host's own username). */
function usernameIn(page: string): string {
  const input = /<input\b[^>]*name="username"[^>]*>/.exec(page)?.[0];
  const value = input && /\bvalue="([^"]*)"/.exec(input)?.[1];
  assert.ok(value, "the profile page shows the username");
  return value;
}

Deno.test({
  name:
    "profile presses at once: 30 presses of “new feed URL”, of “save” and of a new photo are each saved and answered 200, none a 500; one feed URL works",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using app = await startApp({ env: { INVITO_RATE_LIMIT: "off" } });
    const host = await signInByLink(app, "ann@example.test", { next: "/dashboard/profile" });
    const presses = (n: number, press: (i: number) => Promise<{ status: number; body: string }>) =>
      Promise.all(Array.from({ length: n }, (_, i) => press(i)));
    const statuses = (answers: { status: number }[]) => answers.map((a) => a.status);

    let page = await host.get("/dashboard/profile");
    const username = usernameIn(page.body);

    // The feed: made once, then "new feed URL" pressed 30 times at once.
    await t.step("new feed URL", async () => {
      assert.equal((await host.post("/dashboard/profile?/feed", {})).status, 200);
      const renewed = await presses(
        AT_ONCE,
        () => host.post("/dashboard/profile?/regenerateFeed", {}),
      );
      assert.deepEqual(statuses(renewed), renewed.map(() => 200));
      page = await host.get("/dashboard/profile");
      assert.equal(page.status, 200);
      const shown = /\/feed\/([A-Za-z0-9_-]{43})\.ics/.exec(page.body)?.[0];
      assert.ok(shown, "the profile page shows the feed URL");
      const feed = await fetch(app.url(shown));
      await feed.body?.cancel();
      assert.equal(feed.status, 200, "the URL the page shows is the one that works");
    });

    // The profile form saved 30 times at once, each with another name.
    await t.step("save", async () => {
      const names = Array.from({ length: AT_ONCE }, (_, i) => `Ann ${i}`);
      const saved = await presses(AT_ONCE, (i) =>
        host.post("/dashboard/profile?/save", {
          name: names[i],
          username,
          timeZone: "Europe/Berlin",
          clock: "auto",
          weekStart: "1",
          locale: "en",
        }));
      assert.deepEqual(
        statuses(saved),
        saved.map(() => 200),
        saved.find((s) => s.status !== 200)?.body.slice(0, 300),
      );
      const after = await host.get("/dashboard/profile");
      assert.ok(
        names.some((n) => after.body.includes(`value="${n}"`)),
        "one of the names is saved",
      );
    });

    // A new photo sent 30 times at once: each is taken, none told the account is missing.
    const png = new Uint8Array(512).map((_, i) => i % 251);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await t.step("new photo", async () => {
      const photos = await presses(AT_ONCE, () => {
        const form = new FormData();
        form.set("photo", new File([png], "me.png", { type: "image/png" }));
        return host.post("/dashboard/profile?/photo", form);
      });
      assert.deepEqual(
        statuses(photos),
        photos.map(() => 200),
        photos.find((s) => s.status !== 200)?.body.slice(0, 300),
      );
      const shownPhoto = await host.get("/dashboard/profile");
      assert.match(
        shownPhoto.body,
        /\/calendar\/[^/"]+\/photo\?v=\d+/,
        "the profile shows the photo",
      );
    });
  },
});
