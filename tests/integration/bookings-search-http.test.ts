/**
 * The host's bookings search over HTTP, as the page's search field sends it (the query
 * %-encoded): case and accents are ignored, so a guest who wrote "José Núñez" on the booking
 * page is found as "jose" or "NUNEZ", and a malformed %-sequence is an empty result, not an error.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInClient } from "../support/team-signin.ts";
import { finishSetupAllDay } from "../support/host-setup.ts";
import { postPlain } from "../support/http.ts";

Deno.test({
  name:
    "bookings search over HTTP: 'jose', 'NUNEZ' and 'josé' (%-encoded) find José Núñez booked on the page; another name and a malformed %-sequence find nobody, with a 200",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInClient(app, "ines@example.test", smtp);
    await finishSetupAllDay(host, { name: "Ines", username: "ines", timeZone: "UTC" });
    const home = await (await fetch(`${app.baseUrl}/calendar/ines`)).text();
    const slug = /href="\/calendar\/ines\/([a-z0-9-]+)/.exec(home)![1];
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const page = await (await fetch(`${app.baseUrl}/calendar/ines/${slug}?tz=UTC&date=${day}`))
      .text();
    const slots = [...new Set([...page.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]))];
    for (const [i, name] of ["José Núñez", "Ann Lee"].entries()) {
      const booked = await postPlain(app.baseUrl, `/calendar/ines/${slug}?/book`, {
        name,
        email: `guest${i}@example.test`,
        note: "",
        start: slots[i],
        tz: "UTC",
      });
      assert.equal(booked.status, 303, name);
    }
    const rows = async (rawQuery: string) => {
      const res = await host.get(`/dashboard/bookings?q=${rawQuery}`);
      assert.equal(res.status, 200, rawQuery);
      return ["José Núñez", "Ann Lee"].filter((n) => res.body.includes(n));
    };
    assert.deepEqual(await rows("jose"), ["José Núñez"]);
    assert.deepEqual(await rows("NUNEZ"), ["José Núñez"]);
    assert.deepEqual(await rows(encodeURIComponent("josé")), ["José Núñez"]);
    assert.deepEqual(await rows("lee"), ["Ann Lee"]);
    assert.deepEqual(await rows("%E0%A4%A"), []);
  },
});
