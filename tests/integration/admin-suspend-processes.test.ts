/**
 * Suspension seen by every process (issue 32, ADR 039/049): pages and settings are kept by the
 * host's settings revision, so the write that suspends must change it. Two servers on one
 * remote KV (the KV Connect test server); the admin suspends through one, a guest keeps using
 * the other, which had the host's page kept (answered before SvelteKit) and its settings in its
 * copy.
 */
import assert from "node:assert/strict";
import { startCluster } from "../support/cluster.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { startSmtp } from "../support/smtp.ts";
import { slotsAhead } from "../reliability/harness.ts";

const ADMIN = "ops@example.test";
const PAGE = "/calendar/demo/quick-chat?tz=UTC";

Deno.test({
  sanitizeResources: false,
  sanitizeOps: false,
  name:
    "suspension (issue 32) in one process: the other process sharing the store refuses a booking and stops showing the host's kept booking page on the next request; reactivation brings the page back",
  async fn() {
    await using smtp = await startSmtp();
    await using c = await startCluster({
      processes: 2,
      demo: true,
      smtp,
      env: { INVITO_ADMINS: ADMIN },
    });
    const [a, b] = c.apps;
    // Signed in through the proxy (every process's origin); the admin's actions go to A only.
    const admin = await signInByLink({ ...a, baseUrl: c.baseUrl }, ADMIN, { smtp });
    const onA = (action: string, form: Record<string, string>) =>
      admin.post(`${a.baseUrl}/admin?/${action}`, form, { headers: { origin: c.baseUrl } });
    const list = await admin.get(`${a.baseUrl}/admin?q=demo`);
    const demoId = /data-user="demo"[\s\S]*?name="userId" value="([0-9A-Z]{26})"/.exec(list.body)
      ?.[1];
    assert.ok(demoId, "demo on the admin's list");

    const book = async (name: string, start: string) => {
      const res = await fetch(`${b.baseUrl}/calendar/demo/quick-chat?/book`, {
        method: "POST",
        headers: { origin: c.baseUrl, accept: "application/json", "x-sveltekit-action": "true" },
        body: new URLSearchParams({
          name,
          email: `${name.toLowerCase()}@example.test`,
          note: "",
          start,
          tz: "UTC",
        }),
      });
      return await res.json() as { type: string };
    };

    // B keeps the page (later views are answered from what B kept) and books once, so the
    // host's settings sit in B's copy.
    const [first, second] = await slotsAhead(b.baseUrl, "demo", "quick-chat", 4);
    const guest = createClient(b.baseUrl);
    for (let i = 0; i < 3; i++) assert.equal((await guest.get(PAGE)).status, 200);
    const booked = await book("Gil", first);
    assert.equal(booked.type, "redirect", JSON.stringify(booked));
    assert.equal((await guest.get(PAGE)).status, 200);

    const done = await onA("suspend", { userId: demoId, confirm: "yes" });
    assert.equal(done.status, 200, done.body.slice(0, 300));

    // B, at once: no booking, no page, no slots.
    const refused = await book("Hal", second);
    assert.notEqual(
      refused.type,
      "redirect",
      `B booked a suspended host: ${JSON.stringify(refused)}`,
    );
    const page = await guest.get(PAGE);
    assert.equal(page.status, 410, "B's next view of the suspended host's page");
    assert.doesNotMatch(page.body, /data-slot=/);
    const day = second.slice(0, 10);
    const api = await fetch(
      `${b.baseUrl}/api/v1/users/demo/event-types/quick-chat/slots?start=${day}&end=${day}&timeZone=UTC`,
    );
    await api.body?.cancel();
    assert.notEqual(api.status, 200, "B's slots answer for a suspended host");

    // Reactivated through A: B shows the page again on the next view.
    assert.equal((await onA("reactivate", { userId: demoId })).status, 200);
    assert.equal((await guest.get(PAGE)).status, 200, "B after the reactivation");
  },
});
