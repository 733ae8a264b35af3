/**
 * Two findings of the outside audit (issue 10) that leave the server: text a guest types must not
 * forge lines of the host's mail (#7), and a host's CalDAV address must not reach this machine or
 * any address that is not public (#9).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { pageSlots } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "mail (#7): a guest's name cannot carry line breaks or direction overrides, and a multi-line note cannot forge lines of the host's mail",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp });
    const slots = await pageSlots(app.baseUrl, "demo", "intro-call");
    const book = (form: Record<string, string>) =>
      fetch(app.url("/calendar/demo/intro-call?/book"), {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ email: "ann@example.test", tz: "UTC", ...form }),
        redirect: "manual",
      });
    for (
      const name of [
        "Ann\n\nConfirm: https://evil.example/x",
        "Ann\rConfirm: https://evil.example/x",
        "Ann\u2028Confirm: https://evil.example/x",
        "Ann\u2029x",
        "Ann\u202Egnp.exe",
        "Ann\u2066x\u2069",
        "Ann\u0085x",
        "Ann\u0007",
      ]
    ) {
      const r = await book({ name, start: slots[0] });
      assert.equal(r.status, 400, JSON.stringify(name));
      assert.match(await r.text(), /line breaks|control characters|cannot contain/i);
    }
    const forged = [
      "Looking forward",
      "",
      "Confirm: https://evil.example/confirm",
      "Reject:  https://evil.example/reject",
      "──── end of mail ────",
    ].join("\n");
    const ok = await book({ name: "Ann Guest", start: slots[1], note: forged });
    await ok.body?.cancel();
    assert.equal(ok.status, 303);
    const mail = await smtp.waitForMail((m) => m.to.includes("demo@invito.example"));
    const lines = mail.text.split(/\r?\n/);
    const ours = lines.filter((l) => /^(Confirm|Reject):/.test(l));
    assert.equal(ours.length, 2, `only our own Confirm and Reject lines:\n${mail.text}`);
    for (const l of ours) assert.match(l, new RegExp(`${app.baseUrl}/booking/`), l);
    for (const l of lines.filter((l) => l.includes("evil.example") || l.includes("────"))) {
      assert.match(l, /^\s*(>|\|)/, `a guest's line is quoted: ${JSON.stringify(l)}`);
    }
    // In the HTML part the guest's words sit in a quote, apart from our buttons.
    const evil = mail.html.indexOf("evil.example");
    const quoteStart = mail.html.lastIndexOf("<blockquote", evil);
    const quoteEnd = mail.html.indexOf("</blockquote>", quoteStart);
    assert.ok(quoteStart >= 0 && evil < quoteEnd, "the note is quoted in HTML");
  },
});

Deno.test({
  ...opts,
  name:
    "CalDAV (#9): this machine's own addresses and every non-public address form are refused before any request, with one message for every refusal",
  async fn() {
    // A server on every interface of this machine, recording what reaches it.
    const hits: string[] = [];
    const listener = Deno.serve({ hostname: "0.0.0.0", port: 0, onListen: () => {} }, (req) => {
      hits.push(`${req.method} ${req.url} auth=${req.headers.get("authorization") !== null}`);
      return new Response("", { status: 401, headers: { "www-authenticate": "Basic" } });
    });
    try {
      const port = listener.addr.port;
      const own = Deno.networkInterfaces().filter((i) => i.family === "IPv4").map((i) => i.address);
      await using app = await startApp({ demo: true });
      const host = await signInByLink(app, "demo@invito.example");
      const urls = [
        ...own.map((a) => `http://${a}:${port}/`),
        `http://[::ffff:0:127.0.0.1]:${port}/`,
        `http://[::ffff:127.0.0.1]:${port}/`,
        `http://[::127.0.0.1]:${port}/`,
        `http://[64:ff9b:1::7f00:1]:${port}/`,
        `http://0.0.0.0:${port}/`,
        `http://127.1:${port}/`,
        `http://198.51.100.7:${port}/`,
        `http://203.0.113.9:${port}/`,
        `http://192.0.0.9:${port}/`,
        `http://[2001:db8::1]:${port}/`,
        `http://[fd00::2]:${port}/`,
      ];
      const messages = new Set<string>();
      for (const serverUrl of urls) {
        const r = await host.post("/dashboard/calendars?/add", {
          serverUrl,
          username: "demo",
          password: "secret",
        });
        assert.equal(r.status, 400, serverUrl);
        const m = /role="alert"[^>]*>([^<]+)</.exec(r.body)?.[1] ??
          /"serverUrl":"([^"]+)"/.exec(r.body)?.[1];
        assert.ok(m, `${serverUrl}: a message`);
        messages.add(m);
      }
      assert.deepEqual(hits, [], "nothing reached this machine");
      assert.equal(messages.size, 1, `one message for every refusal: ${[...messages].join(" | ")}`);
    } finally {
      await listener.shutdown();
    }
  },
});
