/**
 * The HTTP findings of the second outside audit (issue 22, and issue 34's API bodies), against
 * the built server: methods no route answers, security headers on every answer, the body limit
 * granted by a verified session only, the API's body policy, form action names that are not the
 * route's own, token pages' referrer policy, exact counting at the rate limit's edge under a
 * burst, IPv6 clients counted by their /64, and the host import.
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { prepareUpload } from "../support/upload.ts";
import { signInByLink } from "../support/auth.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const enc = new TextEncoder();

/** Resident memory of a process in MB (Linux). */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

type RawReply = { status: number; headers: Headers; body: string; sentBytes: number };

/**
 * One request on a fresh connection, written by hand: `fetch` refuses TRACE and TRACK. `body`
 * (optional) yields chunks that are written until the server answers or closes.
 */
async function raw(
  app: AppHandle,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: AsyncIterable<Uint8Array>,
): Promise<RawReply> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: app.port });
  const head = [`${method} ${path} HTTP/1.1`, `host: 127.0.0.1:${app.port}`, "connection: close"];
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
  let text = "";
  let answered = false;
  const reading = (async () => {
    const buf = new Uint8Array(65_536);
    const dec = new TextDecoder();
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n), { stream: true });
      answered = true;
    }
  })();
  await conn.write(enc.encode(head.join("\r\n") + "\r\n\r\n"));
  let sentBytes = 0;
  if (body) {
    for await (const chunk of body) {
      if (answered) break;
      try {
        await conn.write(chunk);
      } catch {
        break;
      }
      sentBytes += chunk.byteLength;
    }
  }
  await reading;
  try {
    conn.close();
  } catch {
    // closed by the server
  }
  const [top, ...rest] = text.split("\r\n\r\n");
  const lines = top.split("\r\n");
  const h = new Headers();
  for (const l of lines.slice(1)) {
    const at = l.indexOf(":");
    if (at > 0) h.append(l.slice(0, at).trim(), l.slice(at + 1).trim());
  }
  return {
    status: Number(lines[0].split(" ")[1]),
    headers: h,
    body: rest.join("\r\n\r\n"),
    sentBytes,
  };
}

async function* chunks(totalBytes: number, size = 256 * 1024): AsyncIterable<Uint8Array> {
  const chunk = new Uint8Array(size).fill(0x61);
  for (let sent = 0; sent < totalBytes; sent += size) yield chunk;
}

function assertSecurityHeaders(h: Headers, what: string, https = false) {
  assert.equal(h.get("x-content-type-options"), "nosniff", `${what}: nosniff`);
  assert.match(h.get("content-security-policy") ?? "", /frame-ancestors/, `${what}: CSP`);
  assert.ok(h.get("referrer-policy"), `${what}: referrer-policy`);
  if (https) assert.match(h.get("strict-transport-security") ?? "", /max-age=/, `${what}: HSTS`);
}

Deno.test({
  ...opts,
  name:
    "methods (#5): TRACE, TRACK and other unknown methods get 405 with Allow on every kind of route, and every answer — 405, 404, 413 — carries the security headers, HSTS behind https",
  async fn() {
    await using app = await startApp({
      demo: true,
      env: { INVITO_BASE_URL: "https://invito.example" },
    });
    const routes = [
      "/",
      "/calendar/demo",
      "/calendar/demo/quick-chat",
      "/widget/demo/quick-chat",
      "/booking/" + "A".repeat(43),
      "/signin",
      "/dashboard",
      "/auth/session",
      "/healthz",
      "/embed.js",
      "/no-such-page",
    ];
    for (const path of routes) {
      for (const method of ["TRACE", "TRACK", "PROPFIND", "FOO"]) {
        const r = await raw(app, method, path);
        assert.equal(r.status, 405, `${method} ${path}: ${r.status} ${r.body.slice(0, 80)}`);
        assert.match(r.headers.get("allow") ?? "", /GET/, `${method} ${path}: Allow`);
        assertSecurityHeaders(r.headers, `${method} ${path}`, true);
      }
    }
    for (const method of ["TRACE", "TRACK"]) {
      const r = await raw(app, method, "/api/v1/me");
      assert.equal(r.status, 405);
      assert.match(r.headers.get("allow") ?? "", /GET/);
      assert.equal(r.headers.get("content-type"), "application/problem+json");
      assert.equal(JSON.parse(r.body).reason, "method_not_allowed");
      assertSecurityHeaders(r.headers, `${method} /api/v1/me`, true);
    }
    // The server's own refusals (a body over its limit) and SvelteKit's 404 carry them too.
    const big = await raw(app, "POST", "/calendar/demo/quick-chat?/book", {
      "content-type": "application/x-www-form-urlencoded",
      "content-length": String(10 * 1024 * 1024),
    });
    assert.equal(big.status, 413);
    assertSecurityHeaders(big.headers, "413", true);
    const missing = await raw(app, "GET", "/no-such-page");
    assert.equal(missing.status, 404);
    assertSecurityHeaders(missing.headers, "404", true);
  },
});

Deno.test({
  ...opts,
  name:
    "body limits (#2): a 60 MB upload to the import with a forged session cookie is refused early with 413 and the server's memory does not jump; a signed-in host's session still gets the upload's limit",
  async fn() {
    await using app = await startApp({ demo: true });
    const pid = app.pid()!;
    // Warm up, then measure.
    await (await fetch(app.url("/calendar/demo"))).text();
    const before = await rssMb(pid);
    const forged = { cookie: "authjs.session-token=00000000-0000-4000-8000-000000000000" };
    const form = {
      "content-type": "multipart/form-data; boundary=xyz",
      origin: app.baseUrl,
      ...forged,
    };
    const declared = await raw(app, "POST", "/dashboard/profile?/importData", {
      ...form,
      "content-length": String(60 * 1024 * 1024),
    }, chunks(60 * 1024 * 1024));
    assert.equal(declared.status, 413, `declared: ${declared.status}`);
    assert.ok(declared.sentBytes < 20 * 1024 * 1024, `read ${declared.sentBytes} bytes`);
    const chunked = await raw(
      app,
      "POST",
      "/dashboard/profile?/importData",
      {
        ...form,
        "transfer-encoding": "chunked",
      },
      (async function* () {
        for await (const c of chunks(60 * 1024 * 1024)) {
          yield enc.encode(c.byteLength.toString(16) + "\r\n");
          yield c;
          yield enc.encode("\r\n");
        }
      })(),
    );
    assert.equal(chunked.status, 413, `chunked: ${chunked.status}`);
    const after = await rssMb(pid);
    assert.ok(after - before < 40, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`);
    console.log(`forged-cookie uploads: RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`);

    // Any other dashboard form: a request whose session is not verified (none, or forged) gets
    // the guest forms' 64 KB, not the dashboard's 1 MB — declared or streamed.
    for (const who of [{}, forged]) {
      const headers = {
        "content-type": "application/x-www-form-urlencoded",
        origin: app.baseUrl,
        ...who,
      };
      const declaredForm = await raw(app, "POST", "/dashboard/availability?/weekly", {
        ...headers,
        "content-length": String(200 * 1024),
      }, chunks(200 * 1024, 8 * 1024));
      assert.equal(declaredForm.status, 413, `unverified ${JSON.stringify(who)}: declared 200 KB`);
      const streamed = await raw(
        app,
        "POST",
        "/dashboard/event-types/new",
        {
          ...headers,
          "transfer-encoding": "chunked",
        },
        (async function* () {
          for await (const c of chunks(200 * 1024, 8 * 1024)) {
            yield enc.encode(c.byteLength.toString(16) + "\r\n");
            yield c;
            yield enc.encode("\r\n");
          }
        })(),
      );
      assert.equal(streamed.status, 413, `unverified ${JSON.stringify(who)}: streamed 200 KB`);
    }

    // A live session is given the upload's limit: 2 MB reach the import (and are refused there
    // as not an export, in words, not by size).
    const host = await signInByLink(app, "demo@invito.example");
    const fd = new FormData();
    fd.set("file", new File(["x".repeat(2 * 1024 * 1024)], "export.json"));
    const ok = await host.post("/dashboard/profile?/importData", fd, {
      headers: { origin: app.baseUrl },
    });
    assert.equal(ok.status, 400, `a real session's upload reaches the import: ${ok.status}`);
    assert.match(ok.body, /not a JSON|JSON/i);
    // …and the dashboard's 1 MB for its other forms.
    const form200 = await host.post("/dashboard/availability?/weekly", {
      note: "x".repeat(200 * 1024),
    }, { headers: { origin: app.baseUrl } });
    assert.notEqual(form200.status, 413, "a real session's 200 KB dashboard form is read");
  },
});

Deno.test({
  ...opts,
  name:
    "API bodies (issue 34): up to the documented 100 KB reach the API; larger ones get a 413 application/problem+json, and the OpenAPI document states the limit",
  async fn() {
    await using app = await startApp({ demo: true });
    const post = (bytes: number) =>
      fetch(app.url("/api/v1/event-types"), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: "Bearer inv_nobody",
          "idempotency-key": crypto.randomUUID(),
        },
        body: JSON.stringify({ title: "x".repeat(bytes) }),
      });
    const within = await post(80 * 1024);
    assert.equal(within.status, 401, "80 KB reach the API (which wants a key)");
    assert.equal(within.headers.get("content-type"), "application/problem+json");
    await within.body?.cancel();
    for (const path of ["/api/v1/event-types", "/%61pi/v1/event-types"]) {
      const over = await fetch(app.url(path), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer inv_nobody" },
        body: JSON.stringify({ title: "x".repeat(150 * 1024) }),
      });
      assert.equal(over.status, 413, path);
      assert.equal(over.headers.get("content-type"), "application/problem+json", path);
      const problem = await over.json();
      assert.equal(problem.reason, "payload_too_large");
      assert.equal(problem.status, 413);
      assert.match(problem.detail, /100 KB/);
      assert.match(problem.type, /#problem-payload-too-large$/);
    }
    const doc = await (await fetch(app.url("/api/v1/openapi.json"))).json();
    assert.equal(doc["x-body-limit-bytes"], 100 * 1024);
    assert.match(doc.info.description, /100 KB/);
    assert.match(doc.paths["/event-types"].post.responses["413"].description, /100 KB/);
  },
});

Deno.test({
  ...opts,
  name:
    "form actions (#4): names that are not one of the route's own actions (constructor, valueOf, __proto__ …) get 404 on the booking page, the widget, the single-use page and sign-in, never 500",
  async fn() {
    await using app = await startApp({ demo: true });
    const pages = [
      "/calendar/demo/quick-chat",
      "/widget/demo/quick-chat",
      "/calendar/demo/once/" + "A".repeat(43),
      "/signin",
      "/booking/" + "A".repeat(43),
      "/team-invitation/" + "A".repeat(43),
    ];
    const names = [
      "constructor",
      "valueOf",
      "hasOwnProperty",
      "toLocaleString",
      "__defineGetter__",
      "__proto__",
      "isPrototypeOf",
      "toString",
      "nope",
    ];
    for (const page of pages) {
      for (const name of names) {
        for (const accept of ["text/html", "application/json"]) {
          const res = await fetch(app.url(`${page}?/${name}`), {
            method: "POST",
            headers: {
              origin: app.baseUrl,
              accept,
              "content-type": "application/x-www-form-urlencoded",
              ...(accept === "application/json" ? { "x-sveltekit-action": "true" } : {}),
            },
            body: "name=Ann",
            redirect: "manual",
          });
          const text = await res.text();
          const status = accept === "application/json" && res.status === 200
            ? (JSON.parse(text).status ?? 200)
            : res.status;
          // 404: no such action; 405: the page has no actions at all (SvelteKit's own answer).
          assert.ok(
            status === 404 || status === 405,
            `${page}?/${name} (${accept}): ${res.status} ${text.slice(0, 100)}`,
          );
        }
      }
    }
    assert.doesNotMatch(app.logs(), /not serializable/);
  },
});

Deno.test({
  ...opts,
  name:
    "referrer policy (#6): every page with a token in its URL sends no-referrer (team invitation, single-use link, a booking's manage and decision pages, the sign-in link)",
  async fn() {
    await using app = await startApp({ demo: true });
    const token = "A".repeat(43);
    for (
      const path of [
        `/team-invitation/${token}`,
        `/calendar/demo/once/${token}`,
        `/booking/${token}`,
        `/booking/${token}/confirm`,
        `/booking/${token}/reject`,
        `/booking/${token}/cancel`,
        `/booking/${token}/reschedule`,
        `/widget/booking/${token}`,
        `/signin/verify?token=${token}&email=a%40example.test`,
      ]
    ) {
      const res = await fetch(app.url(path), { redirect: "manual" });
      await res.body?.cancel();
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", `${path} (${res.status})`);
    }
    const res = await fetch(app.url("/calendar/demo"));
    await res.body?.cancel();
    assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
  },
});

Deno.test({
  ...opts,
  name:
    "rate limits (#7): of 650 simultaneous page views from one address under a limit of 600, exactly 600 are served and 50 get 429",
  async fn() {
    await using app = await startApp({ env: { INVITO_RATE_LIMIT: "page=600/10m" } });
    const path = `/booking/${"B".repeat(43)}`;
    const statuses = await Promise.all(
      Array.from(
        { length: 650 },
        () =>
          fetch(app.url(path), { headers: { accept: "application/json" } }).then(async (r) => {
            await r.body?.cancel();
            return r.status;
          }),
      ),
    );
    const limited = statuses.filter((s) => s === 429).length;
    assert.equal(limited, 50, `429s: ${limited}; others: ${[...new Set(statuses)]}`);
    assert.equal(statuses.filter((s) => s !== 429).length, 600);
  },
});

Deno.test({
  ...opts,
  name:
    "rate limits (#8): behind a trusted proxy, the IPv6 addresses of one /64 share a limit; another /64 has its own",
  async fn() {
    await using app = await startApp({
      env: { INVITO_RATE_LIMIT: "page=5/10m", INVITO_TRUSTED_PROXIES: "127.0.0.1" },
    });
    const path = `/booking/${"C".repeat(43)}`;
    const view = async (ip: string) => {
      const r = await fetch(app.url(path), {
        headers: { accept: "application/json", "x-forwarded-for": ip },
      });
      await r.body?.cancel();
      return r.status;
    };
    const one = [];
    for (let i = 1; i <= 7; i++) one.push(await view(`2001:db8:1:2::${i.toString(16)}`));
    assert.deepEqual(one.map((s) => s === 429), [false, false, false, false, false, true, true]);
    assert.equal(await view("2001:db8:1:2:ffff:ffff:ffff:ffff"), 429, "same /64");
    assert.notEqual(await view("2001:db8:1:3::1"), 429, "another /64");
    assert.notEqual(await view("192.0.2.1"), 429, "an IPv4 client");
  },
});

/**
 * Latencies (ms) of page loads kept going by `workers` loops until `until` resolves, each loop
 * resting `restMs` after a load: a person's pace, not a load test. A stall shows as before (every
 * load waited 36 s before the fix); back to back, four loops took a core of their own from the
 * import they watched, and from the suite's other files (the test ran 138 s on a slow box).
 */
async function pageLoadsDuring(
  app: AppHandle,
  until: Promise<unknown>,
  workers = 4,
  restMs = 50,
): Promise<number[]> {
  const times: number[] = [];
  let done = false;
  const settled = until.then(() => {}, () => {}).then(() => (done = true));
  await Promise.all(Array.from({ length: workers }, async () => {
    while (!done) {
      const t0 = performance.now();
      const r = await fetch(app.url("/calendar/demo"), { headers: { accept: "text/html" } });
      await r.text();
      assert.equal(r.status, 200);
      times.push(performance.now() - t0);
      // The rest ends early when `until` settles, so the measured span ends with it.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, restMs))), settled]);
      clearTimeout(timer);
    }
  }));
  return times;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)];

Deno.test({
  ...opts,
  name:
    "host import (#1): while a maximum-size hostile import is read, page loads keep being answered (no stall); three at once (62 MB of nested arrays, 63 MB of empty objects in a field of its own, …) are refused with a message in bounded memory; imports are limited per host",
  async fn() {
    await using app = await startApp({
      demo: true,
      env: { INVITO_RATE_LIMIT: "import=6/1h,page=100000/1m" },
    });
    const pid = app.pid()!;
    const host = await signInByLink(app, "demo@invito.example");
    const head = '{"format":"invito-host-export","version":1,';
    const nested = head + '"bookings":' + "[".repeat(62 * 1024 * 1024 - head.length - 12);
    const empties = head + '"junk":[' + "{},".repeat(Math.floor((63 * 1024 * 1024) / 3) - 10) +
      "{}]}";
    const spread = head + '"eventTypes":[' +
      ("[" + "{},".repeat(99_000) + "{}],").repeat(200) + "[]]}";
    // Uploads go from another process, as from another machine, streamed: this process only
    // measures the page loads.
    const cookie = `authjs.session-token=${host.cookie("authjs.session-token")}`;
    // Written to a file before the page loads are timed: encoding 60 MB held this process (and
    // the loads it times) for ~2 s.
    const prepare = (text: string) =>
      prepareUpload(
        "chunked",
        text,
        app.url("/dashboard/profile?/importData"),
        cookie,
        app.baseUrl,
      );
    const upload = async (text: string) => await (await prepare(text)).send();
    // Warm up the page, then measure it alone (the machine's own pace, for the report).
    for (let i = 0; i < 5; i++) await (await fetch(app.url("/calendar/demo"))).text();
    const alone = await pageLoadsDuring(app, new Promise((r) => setTimeout(r, 2_000)));
    // A stalled server (every page waited 36 s before the fix) against a busy one: the upload,
    // the Worker's parse and the other test files share two cores with these page loads, which
    // took 480–633 ms at p99 in one full run and just over 1,000 ms in two others. The promise itself (p99 under 1 s) is
    // measured where the machine is quiet: bench/import-pages.ts.
    const bound = Math.max(2_000, 5 * p99(alone));
    // One import of the maximum size that passes the shape scan and is parsed whole (63 MB of
    // bookings, damaged): the page loads around it stay fast.
    const pad = "x".repeat(600);
    const parsed = head + '"bookings":[' +
      Array.from({ length: 100_000 }, (_, i) => `{"id":"b${i}","guestNote":"${pad}"}`).join(",") +
      "]}";
    const toSend = await prepare(parsed);
    const t1 = performance.now();
    const single = toSend.send();
    const during = await pageLoadsDuring(app, single);
    const one = await single;
    console.log(
      `1 import of ${(parsed.length / 1024 / 1024).toFixed(0)} MB parsed whole: ${
        (performance.now() - t1).toFixed(0)
      } ms; page loads alone p99 ${p99(alone).toFixed(0)} ms; during: ${during.length}, p99 ${
        p99(during).toFixed(0)
      } ms`,
    );
    assert.equal(one.status, 400, `${one.status} ${one.body.slice(0, 300)}`);
    assert.match(one.body, /damaged at profile/);
    assert.ok(during.length >= 8, `${during.length} page loads`);
    assert.ok(p99(during) < bound, `p99 ${p99(during).toFixed(0)} ms (bound ${bound.toFixed(0)})`);

    // Three at once, as the audit sent them: each refused by the scan, memory bounded.
    const before = await rssMb(pid);
    let peak = before;
    const sampling = setInterval(async () => {
      peak = Math.max(peak, await rssMb(pid).catch(() => 0));
    }, 50);
    const prepared = await Promise.all([nested, empties, spread].map(prepare));
    const t0 = performance.now();
    const imports = Promise.all(prepared.map((u) => u.send()));
    const times = await pageLoadsDuring(app, imports);
    const [a, b, c] = await imports;
    const importMs = performance.now() - t0;
    clearInterval(sampling);
    console.log(
      `3 hostile imports at once (62/63/${(spread.length / 1024 / 1024).toFixed(0)} MB): ${
        importMs.toFixed(0)
      } ms; during: ${times.length} page loads, p99 ${p99(times).toFixed(0)} ms, max ${
        Math.max(...times).toFixed(0)
      } ms; RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB`,
    );
    for (const r of [a, b, c]) assert.equal(r.status, 400, `${r.status} ${r.body.slice(0, 300)}`);
    assert.match(a.body, /nested deeper than 16 levels/);
    assert.match(b.body, /a field an Invito export does not have/);
    assert.match(c.body, /built unlike an Invito export/);
    assert.ok(
      p99(times) < bound,
      `three at once: p99 ${p99(times).toFixed(0)} ms (bound ${bound.toFixed(0)})`,
    );
    assert.ok(peak - before < 700, `RSS ${before.toFixed(0)} → ${peak.toFixed(0)} MB`);
    // Unknown fields inside a part are dropped in the Worker, but an object of a million of them
    // is refused by the scan before anything is built (the Worker used to post it back whole).
    const keys = Array.from({ length: 300_000 }, (_, i) => `"k${i}":0`).join(",");
    const wide = await upload(
      head + '"profile":{"username":"demo","name":"Demo","timeZone":"UTC"},"eventTypes":[],' +
        '"polls":[{' + keys + "}]}",
    );
    assert.equal(wide.status, 400, `${wide.status} ${wide.body.slice(0, 300)}`);
    assert.match(wide.body, /more than 200 fields/);
    // The server still answers, and a host is limited to the configured imports per window.
    const tiny = await upload(head + '"profile":{}}');
    assert.equal(tiny.status, 400);
    assert.match(tiny.body, /damaged at profile/);
    const fifth = await upload(head + '"profile":{}}');
    assert.match(fifth.body, /imported several files in a short time/);
  },
});

Deno.test({
  ...opts,
  name:
    "host import: a large export sent over a slow link, for longer than a body's first deadline, is read whole and answered by the import, not refused as too slow",
  async fn() {
    // The body deadline is three times this: 3 s. The file comes at ~1 MB/s for ~4 s, as from
    // a home uplink (a CI run answered a 63 MB import 408 after 30 s while it was still coming).
    await using app = await startApp({ demo: true, env: { INVITO_CLIENT_TIMEOUT: "1s" } });
    const host = await signInByLink(app, "demo@invito.example");
    const boundary = "invito-" + crypto.randomUUID();
    const head = enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="export.json"\r\n` +
        "Content-Type: application/json\r\n\r\n",
    );
    const pad = "x".repeat(600);
    // A real export's start, its bookings damaged: the import itself must say so.
    const file = enc.encode(
      '{"format":"invito-host-export","version":1,"bookings":[' +
        Array.from({ length: 6_500 }, (_, i) => `{"id":"b${i}","guestNote":"${pad}"}`).join(",") +
        "]}",
    );
    const tail = enc.encode(`\r\n--${boundary}--\r\n`);
    const piece = 256 * 1024;
    let at = 0;
    let first = true;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        if (first) {
          first = false;
          return ctrl.enqueue(head);
        }
        if (at >= file.length) {
          ctrl.enqueue(tail);
          return ctrl.close();
        }
        await new Promise((r) => setTimeout(r, 250));
        ctrl.enqueue(file.subarray(at, at + piece));
        at += piece;
      },
    });
    const t0 = performance.now();
    const res = await fetch(app.url("/dashboard/profile?/importData"), {
      method: "POST",
      headers: {
        cookie: `authjs.session-token=${host.cookie("authjs.session-token")}`,
        origin: app.baseUrl,
        accept: "text/html",
        "content-type": `multipart/form-data; boundary=${boundary}`,
      },
      body,
      duplex: "half",
    } as RequestInit);
    const text = await res.text();
    const took = performance.now() - t0;
    assert.ok(took > 3_000, `sent in ${Math.round(took)} ms: not slower than the first deadline`);
    assert.equal(
      res.status,
      400,
      `${res.status} after ${Math.round(took)} ms: ${text.slice(0, 200)}`,
    );
    assert.match(text, /damaged at profile/);
  },
});
