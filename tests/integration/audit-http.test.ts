/**
 * The HTTP findings of the outside audit (issue 10), against the built server: encoded paths
 * that slipped past rate limits, the embed allowlist and the dashboard's sign-in check; unbounded
 * and slow request bodies; 5xx from odd input; missing headers; old usernames taken over.
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { delay, waitFor } from "../support/wait.ts";
import { pageSlots } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const enc = new TextEncoder();

function post(app: AppHandle, path: string, form: Record<string, string>, cookie?: string) {
  return fetch(app.url(path), {
    method: "POST",
    headers: {
      origin: app.baseUrl,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  }).then(async (r) => (await r.body?.cancel(), r));
}

/** Resident memory of a process in MB (Linux). */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Writes `head` on a fresh connection, then whatever `body` yields; resolves with the reply. */
async function raw(
  port: number,
  head: string,
  body?: (write: (b: Uint8Array, afterAnswer?: boolean) => Promise<boolean>) => Promise<void>,
  timeoutMs = 10_000,
): Promise<{ reply: string; closed: boolean; ms: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const t0 = performance.now();
  let reply = "";
  let closed = false;
  const reading = (async () => {
    const buf = new Uint8Array(16_384);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) {
        closed = true;
        return;
      }
      reply += new TextDecoder().decode(buf.subarray(0, n));
      if (/\r\n\r\n/.test(reply) && !/content-length: [1-9]/i.test(reply)) return;
      if (/\r\n\r\n[\s\S]+/.test(reply)) return;
    }
  })();
  /** False once the server answered (unless `afterAnswer`), closed, or the write failed. */
  const write = async (b: Uint8Array, afterAnswer = false) => {
    if ((reply && !afterAnswer) || closed) return false;
    try {
      await conn.write(b);
      return true;
    } catch {
      return false;
    }
  };
  await write(enc.encode(head));
  if (body) await body(write);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([reading, new Promise((r) => timer = setTimeout(r, timeoutMs))]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  try {
    conn.close();
  } catch {
    // closed by the server
  }
  return { reply, closed, ms };
}

Deno.test({
  ...opts,
  name:
    "rate limits (#2): percent-encoded paths and action names count like the plain ones, and every way of sending a sign-in mail counts per IP and per address",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp,
      env: {
        INVITO_RATE_LIMIT: "booking=3/10m,token=2/10m,signin=3/15m,signin_email=2/1h,page=1000/1m",
      },
    });
    const quick = await pageSlots(app.baseUrl, "demo", "quick-chat");
    const book = (path: string, i: number) =>
      post(app, path, { name: "Ann", email: `a${i}@example.test`, start: quick[i], tz: "UTC" });
    const booked = [
      (await book("/calendar/demo/quick-chat?/book", 0)).status,
      (await book("/%63alendar/demo/quick-chat?%2Fbook", 1)).status,
      (await book("/%77idget/demo/quick-chat?/book", 2)).status,
      (await book("/calendar/%64emo/quick-%63hat?%2F%62ook", 3)).status,
    ];
    assert.deepEqual(booked, [303, 303, 303, 429]);

    const guest = await book("/calendar/demo/quick-chat?/book", 4);
    assert.equal(guest.status, 429, "still limited");
    const token = "A".repeat(43);
    const links = [
      (await post(app, `/%62ooking/${token}/cancel`, { reason: "x" })).status,
      (await post(app, `/booking/${token}/%63onfirm`, {})).status,
      (await post(app, `/%77idget/booking/${token}`, {})).status,
    ];
    assert.equal(links[2], 429, `token pages: ${links}`);

    const signins = [];
    for (
      const path of ["/signin?/email", "/%73ignin?/email", "/signin?%2Femail", "/%73ignin?/email"]
    ) {
      signins.push(
        (await post(app, path, { providerId: "email", email: `s${signins.length}@example.test` }))
          .status,
      );
    }
    assert.deepEqual(signins, [303, 303, 303, 429]);
  },
});

Deno.test({
  ...opts,
  name:
    "rate limits (#2): Auth.js's own sign-in endpoint and the single sign-on action cannot be used to mail one address past its limit",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      smtp,
      env: { INVITO_RATE_LIMIT: "signin=100/15m,signin_email=2/1h" },
    });
    const form = { providerId: "email", email: "victim@example.test", callbackUrl: "/dashboard" };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(app, "/auth/signin/email", form)).status);
    for (let i = 0; i < 3; i++) statuses.push((await post(app, "/signin?/oidc", form)).status);
    for (let i = 0; i < 3; i++) statuses.push((await post(app, "/signin?/email", form)).status);
    assert.ok(statuses.every((s) => s < 500), `${statuses}`);
    // Whatever the path, one address gets at most its 2 mails an hour.
    await delay(500);
    assert.ok(
      smtp.mails.filter((m) => m.to.includes("victim@example.test")).length <= 2,
      `${smtp.mails.length} mails for ${statuses}`,
    );
    assert.equal(statuses.at(-1), 429);
  },
});

Deno.test({
  ...opts,
  name:
    "body limits (#3): an oversized upload is answered 413 before it is read, declared or chunked; memory stays flat and /healthz keeps answering",
  async fn() {
    await using app = await startApp({ demo: true });
    const pid = app.pid()!;
    // Warm up so the baseline includes the rendered pages.
    await pageSlots(app.baseUrl, "demo", "quick-chat");
    const before = await rssMb(pid);
    const head = (extra: string) =>
      `POST /calendar/demo/quick-chat?/book HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\n` +
      `Origin: ${app.baseUrl}\r\nContent-Type: application/x-www-form-urlencoded\r\n${extra}\r\n`;

    // Declared: 300 MB promised, nothing sent. The answer comes at once.
    const declared = await raw(app.port, head("Content-Length: 314572800\r\n"));
    assert.match(declared.reply, /^HTTP\/1\.1 413/, declared.reply.slice(0, 80));

    // Chunked: keep streaming 1 MB chunks (up to 200 MB) while probing /healthz.
    const chunk = enc.encode("name=" + "x".repeat(1024 * 1024 - 5));
    let worstHealthMs = 0;
    let peak = before;
    const probing = (async () => {
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        const r = await fetch(app.url("/healthz"));
        await r.body?.cancel();
        worstHealthMs = Math.max(worstHealthMs, performance.now() - t);
        peak = Math.max(peak, await rssMb(pid));
        await delay(100);
      }
    })();
    // Up to `mb` 1 MB chunks; the client looks for an answer between chunks, as a browser does
    // (a write the kernel takes at once resolves without a turn of the event loop, so a client
    // that never yields reads nothing while the server takes everything it sends).
    const upload = (mb: number, stopOnAnswer: boolean) => {
      let sent = 0;
      let cut = false;
      const done = raw(app.port, head("Transfer-Encoding: chunked\r\n"), async (write) => {
        const send = (b: Uint8Array) => write(b, !stopOnAnswer);
        for (let i = 0; i < mb; i++) {
          const size = enc.encode(chunk.length.toString(16) + "\r\n");
          if (!await send(size) || !await send(chunk) || !await send(enc.encode("\r\n"))) {
            cut = true;
            return;
          }
          sent++;
          await delay(0);
        }
        await send(enc.encode("0\r\n\r\n"));
      });
      return done.then((r) => ({ ...r, sent, cut }));
    };
    const streamed = await upload(200, true);
    const sentMb = streamed.sent;
    assert.match(
      streamed.reply,
      /^HTTP\/1\.1 413/,
      `after ${sentMb} MB: ${streamed.reply.slice(0, 80)}`,
    );
    assert.ok(sentMb < 200, `the answer came only after the whole upload (${sentMb} MB)`);
    // A client that reads no answer and keeps sending: the server stops taking its bytes (it used
    // to read and drop a refused body for as long as it came: 200 MB in 49 ms on loopback).
    const ignoring = await upload(2_000, false);
    assert.match(ignoring.reply, /^HTTP\/1\.1 413/, ignoring.reply.slice(0, 80));
    assert.ok(ignoring.cut, `the server took all ${ignoring.sent} MB of an upload it refused`);
    await probing;
    peak = Math.max(peak, await rssMb(pid));
    assert.ok(peak - before < 60, `memory grew by ${Math.round(peak - before)} MB`);
    assert.ok(worstHealthMs < 1_000, `/healthz took ${Math.round(worstHealthMs)} ms`);
    // A normal form still works.
    const [slot] = await pageSlots(app.baseUrl, "demo", "quick-chat");
    const ok = await post(app, "/calendar/demo/quick-chat?/book", {
      name: "Ann",
      email: "ann@example.test",
      start: slot,
      tz: "UTC",
    });
    assert.equal(ok.status, 303);
  },
});

Deno.test({
  ...opts,
  name:
    "slow clients (#13): a connection that sends half of its headers, or half of its body, is closed after the timeout; a brisk one is served",
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_CLIENT_TIMEOUT: "1s" } });
    const halfHead = await raw(app.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n", undefined, 8_000);
    assert.ok(halfHead.closed || /^HTTP\/1\.1 408/.test(halfHead.reply), "closed");
    assert.ok(halfHead.ms < 6_000, `after ${Math.round(halfHead.ms)} ms`);

    const halfBody = await raw(
      app.port,
      `POST /calendar/demo/quick-chat?/book HTTP/1.1\r\nHost: x\r\nOrigin: ${app.baseUrl}\r\n` +
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=An",
      undefined,
      10_000,
    );
    assert.ok(
      halfBody.closed || /^HTTP\/1\.1 408/.test(halfBody.reply),
      `half a body: ${halfBody.reply.slice(0, 60)}`,
    );
    assert.ok(halfBody.ms < 8_000, `after ${Math.round(halfBody.ms)} ms`);

    const brisk = await raw(app.port, "GET /healthz HTTP/1.1\r\n", async (write) => {
      await delay(200);
      await write(enc.encode("Host: x\r\nConnection: close\r\n\r\n"));
    });
    assert.match(brisk.reply, /^HTTP\/1\.1 200/);
  },
});

Deno.test({
  ...opts,
  name:
    "encoded paths (#5, #6): the embed allowlist and the dashboard's sign-in check follow the route, however its path is spelled",
  async fn() {
    await using app = await startApp({ demo: true });
    const host = await signInByLink(app, "demo@invito.example");
    const saved = await host.post("/dashboard/embed?/origins", { origins: "https://good.example" });
    assert.equal(saved.status, 200);
    const fa = async (path: string) => {
      const r = await fetch(app.url(path));
      await r.body?.cancel();
      return {
        status: r.status,
        ancestors: /frame-ancestors ([^;]*)/.exec(r.headers.get("content-security-policy") ?? "")
          ?.[1],
        xfo: r.headers.get("x-frame-options"),
      };
    };
    for (
      const p of [
        "/widget/demo/intro-call",
        "/widget/%64emo/intro-call",
        "/%77idget/demo/",
        "/widget/DEMO/",
      ]
    ) {
      const r = await fa(p);
      if (r.status === 200) assert.equal(r.ancestors, "'self' https://good.example", p);
      else assert.equal(r.ancestors, "'none'", p);
    }
    for (const p of ["/widget/nobody/x", "/widget/%6Eobody/", "/widget/"]) {
      assert.equal((await fa(p)).ancestors, "'none'", `unknown host ${p}`);
    }

    for (
      const p of [
        "/%64ashboard/profile?/save",
        "/dashboard/%70rofile?/save",
        "/%64ashboard/bookings?%2Fcancel",
        "/%64ashboard/event-types/new",
      ]
    ) {
      const r = await post(app, p, { name: "Mallory", username: "mallory", timeZone: "UTC" });
      assert.equal(r.status, 303, p);
      assert.match(r.headers.get("location")!, /^\/signin\?next=/, p);
    }
    const g = await fetch(app.url("/%64ashboard/bookings"), { redirect: "manual" });
    await g.body?.cancel();
    assert.equal(g.status, 303);
  },
});

Deno.test({
  ...opts,
  name:
    "bad input (#8): long path segments are 404, an oversized cookie is ignored, ?/default is refused, an odd next is a safe redirect; never a 5xx",
  async fn() {
    await using app = await startApp({ demo: true });
    const long = "a".repeat(2100);
    for (
      const p of [
        `/calendar/${long}/`,
        `/calendar/demo/${long}`,
        `/widget/${long}/x`,
        `/widget/demo/${long}`,
        `/booking/${long}`,
        `/widget/booking/${long}`,
        `/booking/${long}/invite.ics`,
      ]
    ) {
      const r = await fetch(app.url(p), { redirect: "manual" });
      await r.body?.cancel();
      assert.equal(r.status, 404, p.slice(0, 40));
    }
    for (const name of ["authjs.session-token", "__Secure-authjs.session-token"]) {
      for (const p of ["/", "/signin", "/dashboard", "/calendar/demo/"]) {
        const r = await fetch(app.url(p), {
          headers: { cookie: `${name}=${"b".repeat(3000)}` },
          redirect: "manual",
        });
        await r.body?.cancel();
        assert.ok(r.status < 500, `${p} with a 3 KB ${name}: ${r.status}`);
      }
    }
    const host = await signInByLink(app, "demo@invito.example");
    const cookie = `authjs.session-token=${host.cookie("authjs.session-token")}`;
    for (
      const p of [
        "/calendar/demo/quick-chat?/default",
        "/widget/demo/quick-chat?/default",
        "/signin?/default",
        "/signout?/default",
        `/booking/${"A".repeat(43)}/cancel?/default`,
        "/dashboard/profile?/default",
        "/dashboard/bookings?%2Fdefault",
      ]
    ) {
      const r = await post(app, p, { name: "x" }, cookie);
      assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status}`);
    }
    for (const next of ["/%E3%80%82x", "/\u3002evil.example", "/%2F%2Fevil.example", "/%5Cevil"]) {
      const r = await host.get(`/signin?next=${encodeURIComponent(next)}`);
      assert.equal(r.status, 303, `${next}: ${r.status}`);
      assert.equal(new URL(r.location!).origin, app.baseUrl, next);
    }
    const r = await fetch(app.url("/signin?next=/%E3%80%82x"), {
      headers: { cookie },
      redirect: "manual",
    });
    await r.body?.cancel();
    assert.equal(r.status, 303);
  },
});

Deno.test({
  ...opts,
  name:
    "headers (#12): HSTS when the public URL is https; signed-in and token pages are never stored by caches",
  async fn() {
    {
      await using app = await startApp({
        demo: true,
        env: { INVITO_BASE_URL: "https://invito.example" },
      });
      for (const p of ["/", "/calendar/demo/", "/robots.txt", "/healthz", "/no-such-page"]) {
        const r = await fetch(app.url(p), { redirect: "manual" });
        await r.body?.cancel();
        assert.match(r.headers.get("strict-transport-security") ?? "", /^max-age=\d{7,}/, p);
      }
    }
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp });
    const r0 = await fetch(app.url("/"));
    await r0.body?.cancel();
    assert.equal(r0.headers.get("strict-transport-security"), null, "not on plain http");
    const [slot] = await pageSlots(app.baseUrl, "demo", "intro-call");
    const booked = await post(app, "/calendar/demo/intro-call?/book", {
      name: "Ann",
      email: "ann@example.test",
      start: slot,
      tz: "UTC",
    });
    const guestPath = new URL(booked.headers.get("location")!, app.baseUrl).pathname;
    const host = await signInByLink(app, "demo@invito.example", { smtp });
    for (
      const p of [
        "/dashboard",
        "/dashboard/profile",
        "/dashboard/bookings",
        "/dashboard/embed",
        "/signin",
      ]
    ) {
      const r = await host.get(p);
      assert.match(r.headers.get("cache-control") ?? "", /no-store/, p);
    }
    for (
      const p of [guestPath, `/widget${guestPath}`, `${guestPath}/cancel`, "/signin/verify?token=x"]
    ) {
      const r = await fetch(app.url(p));
      await r.body?.cancel();
      assert.match(r.headers.get("cache-control") ?? "", /no-store/, p);
    }
  },
});

Deno.test({
  ...opts,
  name:
    "usernames (#11): a released username stays its last owner's for 90 days, old links answer 301 to the new name, and the profile page says so",
  async fn() {
    await using app = await startApp({ demo: true });
    const demo = await signInByLink(app, "demo@invito.example");
    const save = (c: typeof demo, username: string, name: string) =>
      c.post("/dashboard/profile?/save", {
        name,
        username,
        timeZone: "Europe/Berlin",
        clock: "24h",
      });
    const renamed = await save(demo, "demo-new", "Demo Host");
    assert.equal(renamed.status, 200);
    assert.match(renamed.body, /\/calendar\/demo\//);
    assert.match(renamed.body, /redirect|forward/i);
    assert.match(renamed.body, /90 days|until/i);

    for (
      const [from, to] of [
        ["/calendar/demo/", "/calendar/demo-new/"],
        ["/calendar/demo/intro-call?tz=UTC", "/calendar/demo-new/intro-call?tz=UTC"],
        ["/widget/demo/intro-call?theme=dark", "/widget/demo-new/intro-call?theme=dark"],
        ["/calendar/DEMO/", "/calendar/demo-new/"],
      ]
    ) {
      const r = await fetch(app.url(from), { redirect: "manual" });
      await r.body?.cancel();
      assert.equal(r.status, 301, from);
      assert.equal(new URL(r.headers.get("location")!, app.baseUrl).href, app.url(to), from);
    }
    const eve = await signInByLink(app, "eve@example.test");
    const taken = await save(eve, "demo", "Eve");
    assert.equal(taken.status, 400);
    assert.match(taken.body, /taken|reserved/i);
    const r = await fetch(app.url("/calendar/demo/"), { redirect: "manual" });
    await r.body?.cancel();
    assert.equal(r.status, 301, "still the first host's");
    // The owner may take it back.
    const back = await save(demo, "demo", "Demo Host");
    assert.equal(back.status, 200);
    const page = await fetch(app.url("/calendar/demo/"));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Demo Host/);
    await waitFor(async () => {
      const n = await fetch(app.url("/calendar/demo-new/"), { redirect: "manual" });
      await n.body?.cancel();
      return n.status === 301;
    }, { message: "the newer name now points back" });
  },
});
