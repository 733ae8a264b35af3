/**
 * Mail scanners (Outlook Safe Links, corporate gateways) fetch every link in a mail, often more
 * than once, before a person clicks. Every link in every mail Invito sends — confirm, reject,
 * the guest's page, cancel, reschedule, the invitation file, the sign-in link — is fetched three
 * times with GET and HEAD; the store must be exactly as before, and the links must still work.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createClient } from "../support/http.ts";
import { finishMagicLink } from "../support/auth.ts";
import { diffStores, pageSlots, readStore } from "./harness.ts";

Deno.test({
  name:
    "mail scanner: three GETs and HEADs of every link in every mail change nothing in the store, and the links still work",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const base = app.baseUrl;
    const post = (path: string, form: Record<string, string>) =>
      fetch(base + path, {
        method: "POST",
        headers: {
          origin: base,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(form),
        redirect: "manual",
      }).then(async (r) => (await r.body?.cancel(), r.status));

    // One request waiting for the host, one booking confirmed at once, one sign-in link.
    const [pendingSlot] = await pageSlots(base, "demo", "intro-call");
    const confirmedSlot = (await pageSlots(base, "demo", "quick-chat")).find((s) =>
      Date.parse(s) >= Date.parse(pendingSlot) + 30 * 60_000
    )!;
    assert.equal(
      await post("/calendar/demo/intro-call?/book", {
        name: "Pia",
        email: "pia@example.test",
        start: pendingSlot,
        tz: "UTC",
      }),
      303,
    );
    assert.equal(
      await post("/calendar/demo/quick-chat?/book", {
        name: "Quin",
        email: "quin@example.test",
        start: confirmedSlot,
        tz: "UTC",
      }),
      303,
    );
    const signin = createClient(base);
    await signin.post("/signin?/email", { providerId: "email", email: "demo@invito.example" });
    await smtp.waitForMail((m) => /\/signin\/verify\?/.test(m.text));
    await smtp.waitForMail((m) => m.to.includes("pia@example.test"));
    await smtp.waitForMail((m) => m.to.includes("quin@example.test"));
    await smtp.waitForMail((m) => /\.host_request@/.test(m.messageId));
    await smtp.waitForMail((m) => /\.host_booked@/.test(m.messageId));

    const links = new Set<string>();
    for (const m of smtp.mails) {
      for (const text of [m.text, m.html, m.calendar ?? ""]) {
        for (const [u] of text.matchAll(/https?:\/\/[^\s"'<>)]+/g)) {
          const url = u.replace(/&amp;/g, "&").replace(/[.,;]+$/, "");
          if (url.startsWith(base)) links.add(url);
        }
      }
    }
    // The calendar file behind each guest page is a link too (clients and scanners fetch it).
    for (const u of [...links]) {
      if (/\/booking\/[^/]+$/.test(new URL(u).pathname)) links.add(`${u}/invite.ics`);
    }
    const paths = [...links].map((u) => new URL(u).pathname);
    for (
      const kind of [
        /\/confirm$/,
        /\/reject$/,
        /^\/booking\/[^/]+$/,
        /\/cancel$/,
        /\/reschedule$/,
        /\/invite\.ics$/,
        /\/signin\/verify$/,
      ]
    ) {
      assert.ok(
        paths.some((p) => kind.test(p)),
        `the mails carry a ${kind} link: ${paths.join(" ")}`,
      );
    }

    await app.stop({ keepData: true });
    const before = await readStore(app.dbPath);
    await app.restart();
    for (const url of links) {
      for (let i = 0; i < 3; i++) {
        for (const method of ["GET", "HEAD"]) {
          const res = await fetch(url.replace(/^https?:\/\/[^/]+/, base), {
            method,
            redirect: "manual",
          });
          await res.body?.cancel();
          assert.ok(res.status < 500, `${method} ${url} → ${res.status}`);
        }
      }
    }
    await app.stop({ keepData: true });
    const after = await readStore(app.dbPath);
    assert.deepEqual(diffStores(before, after).all, [], "no link changed anything on GET or HEAD");
    await app.restart();

    // The links still do their job for the person who clicks.
    const confirm = [...links].find((u) => u.endsWith("/confirm"))!;
    assert.equal(await post(new URL(confirm).pathname, {}), 200, "the host can still confirm");
    const verify = new URL([...links].find((u) => u.includes("/signin/verify"))!);
    const host = createClient(base);
    await finishMagicLink(host, `${base}${verify.pathname}${verify.search}`);
    assert.equal(
      (await host.get("/dashboard/profile")).status,
      200,
      "the sign-in link still signs in",
    );
  },
});
