import assert from "node:assert/strict";
import {
  assertReachable,
  isForbiddenAddress,
  safeFetch,
  SafeFetchError,
  UNREACHABLE,
} from "./safe-fetch.ts";
import { serveLocal } from "../../../../tests/support/local-server.ts";

Deno.test("isForbiddenAddress: loopback, private, link-local, CGNAT, multicast and their IPv6 forms are refused; public addresses are not", () => {
  const refused = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:c0a8:0101::1",
    "[::1]",
    "2001:db8::1",
    // The IANA special-purpose registries, beyond the usual private ranges (issue 10, #9).
    "192.0.2.2", // TEST-NET-1 (this test machine's own address)
    "198.51.100.7", // TEST-NET-2
    "203.0.113.9", // TEST-NET-3
    "192.0.0.9", // IETF protocol assignments
    "192.88.99.1", // 6to4 relay anycast
    "240.0.0.1", // reserved
    "255.255.255.255",
    "::ffff:0:127.0.0.1", // SIIT
    "::ffff:0:7f00:1",
    "::ffff:192.168.0.1",
    "::127.0.0.1", // IPv4-compatible (deprecated)
    "::7f00:1",
    "64:ff9b::10.0.0.1", // NAT64 of a private address
    "64:ff9b::7f00:1",
    "64:ff9b:1::808:808", // local-use NAT64
    "100::1", // discard-only
    "2001::1", // Teredo
    "2001:2::1", // benchmarking
    "2001:10::1", // ORCHID
    "2001:20::1", // ORCHIDv2
    "2002:808:808::1", // 6to4
    "3fff::1", // documentation (2024)
    "5f00::1", // segment routing
    "fec0::1", // site-local
    "fe80::1%eth0",
    "4000::1", // outside 2000::/3: not allocated for global unicast
    "fd00::2",
  ];
  const allowed = [
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:1.1.1.1", // a mapped public address is that address
    "64:ff9b::1.1.1.1", // NAT64 of a public address (DNS64 networks)
  ];
  for (const ip of refused) assert.equal(isForbiddenAddress(ip), true, ip);
  for (const ip of allowed) assert.equal(isForbiddenAddress(ip), false, ip);
});

Deno.test("isForbiddenAddress: this machine's own addresses are refused even when public, in every spelling", () => {
  const own = ["93.184.216.34", "2606:4700:4700::1111", "127.0.0.1"];
  for (
    const ip of [
      "93.184.216.34",
      "::ffff:93.184.216.34",
      "64:ff9b::5db8:d822",
      "2606:4700:4700:0::1111",
    ]
  ) {
    assert.equal(isForbiddenAddress(ip, own), true, ip);
  }
  assert.equal(isForbiddenAddress("93.184.216.35", own), false);
});

Deno.test("safeFetch: every refusal and every failed connection reads the same", async () => {
  const messages = new Set<string>();
  const collect = async (url: string, opts: Parameters<typeof safeFetch>[0]) => {
    try {
      await safeFetch(opts)(url);
      assert.fail(`${url} was fetched`);
    } catch (e) {
      assert.ok(e instanceof SafeFetchError, String(e));
      messages.add(e.message);
    }
  };
  const resolve = (host: string) =>
    Promise.resolve(
      host === "inside.example.com"
        ? ["10.1.2.3"]
        : host === "ours.example.com"
        ? ["93.184.216.34"]
        : [],
    );
  const ownAddresses = () => ["93.184.216.34"];
  await collect("http://127.0.0.1:9/", { allowPrivate: false });
  await collect("http://[::ffff:0:127.0.0.1]:9/", { allowPrivate: false });
  await collect("https://inside.example.com/", { allowPrivate: false, resolve });
  await collect("https://ours.example.com/", { allowPrivate: false, resolve, ownAddresses });
  await collect("https://nowhere.example.com/", { allowPrivate: false, resolve });
  // Connection failures: a closed port, and a server that never answers.
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  await collect(`http://127.0.0.1:${closedPort}/`, { allowPrivate: true });
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await collect(`http://127.0.0.1:${(silent.addr as Deno.NetAddr).port}/`, {
      allowPrivate: true,
      timeoutMs: 300,
    });
  } finally {
    silent.close();
  }
  assert.deepEqual([...messages], [UNREACHABLE]);
});

Deno.test({
  name:
    "safeFetch: the connection goes to the address that was checked; the name is never looked up a second time (no DNS rebinding)",
  async fn() {
    const seen: string[] = [];
    await using server = serveLocal((req) => {
      seen.push(`${req.method} ${req.headers.get("host")} ${new URL(req.url).pathname}`);
      if (new URL(req.url).pathname === "/old") {
        return new Response(null, { status: 301, headers: { location: "/new" } });
      }
      return new Response("from the checked address");
    });
    const port = new URL(server.base).port;
    let lookups = 0;
    // Only our resolver knows this name (".invalid" never resolves elsewhere): fetching it works
    // only if the connection goes to the address the check saw. The Host header stays the name.
    const f = safeFetch({
      allowPrivate: true,
      resolve: (host) => {
        lookups++;
        return Promise.resolve(host === "calendar.rebind.invalid" ? ["127.0.0.1"] : []);
      },
    });
    const res = await f(`http://calendar.rebind.invalid:${port}/old`, { method: "PROPFIND" });
    assert.equal(await res.text(), "from the checked address");
    assert.deepEqual(seen, [
      `PROPFIND calendar.rebind.invalid:${port} /old`,
      `PROPFIND calendar.rebind.invalid:${port} /new`,
    ]);
    assert.equal(lookups, 2, "one lookup per hop, each one checked and used");
  },
});

Deno.test("assertReachable: refuses non-http schemes, credentials in the URL, local names and names that resolve to private addresses", async () => {
  const resolve = (host: string) =>
    Promise.resolve(
      host === "calendar.example.com"
        ? ["93.184.216.34"]
        : host === "rebind.example.com"
        ? ["93.184.216.34", "10.0.0.7"]
        : [],
    );
  const opts = { allowPrivate: false, resolve };
  const refused = async (url: string, kind: string) => {
    await assert.rejects(
      assertReachable(new URL(url), opts),
      (e: unknown) => e instanceof SafeFetchError && e.kind === kind,
      url,
    );
  };
  await refused("file:///etc/passwd", "forbidden_address");
  await refused("ftp://calendar.example.com/", "forbidden_address");
  await refused("https://user:pw@calendar.example.com/", "forbidden_address");
  await refused("http://127.0.0.1:5232/", "forbidden_address");
  await refused("http://2130706433/", "forbidden_address"); // 127.0.0.1 as one number
  await refused("http://[::ffff:127.0.0.1]/", "forbidden_address");
  await refused("http://localhost/", "forbidden_address");
  await refused("http://radicale/", "forbidden_address");
  await refused("https://rebind.example.com/", "forbidden_address");
  await refused("https://nowhere.example.com/", "network");
  await assertReachable(new URL("https://calendar.example.com/dav/"), opts);
  await assertReachable(new URL("http://127.0.0.1:5232/"), { allowPrivate: true });
});

Deno.test({
  name:
    "safeFetch: a body over the size limit, a slow answer and a redirect to another host fail with a kind; a same-host redirect is followed",
  async fn() {
    await using server = serveLocal(async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/big") return new Response("x".repeat(2_000));
      if (path === "/slow") {
        await new Promise((r) => setTimeout(r, 1_000));
        return new Response("late");
      }
      if (path === "/elsewhere") {
        return new Response(null, { status: 302, headers: { location: "http://localhost:1/x" } });
      }
      if (path === "/moved") {
        return new Response(null, { status: 301, headers: { location: "/final" } });
      }
      if (path === "/final") return new Response(`${req.method} ${await req.text()}`);
      return new Response("ok");
    });
    const base = server.base;
    const f = safeFetch({ allowPrivate: true, maxBytes: 1_000, timeoutMs: 300 });
    await assert.rejects(
      f(`${base}/big`),
      (e: unknown) => e instanceof SafeFetchError && e.kind === "too_large",
    );
    const started = Date.now();
    await assert.rejects(
      f(`${base}/slow`),
      (e: unknown) =>
        e instanceof SafeFetchError && e.kind === "network" && e.message === UNREACHABLE,
    );
    assert.ok(Date.now() - started < 900);
    await assert.rejects(
      f(`${base}/elsewhere`),
      (e: unknown) => e instanceof SafeFetchError && /another host/.test(e.message),
    );
    const moved = await f(`${base}/moved`, { method: "PROPFIND", body: "<x/>" });
    assert.equal(await moved.text(), "PROPFIND <x/>");
    assert.equal(moved.url, `${base}/final`);
    const refused = safeFetch({ allowPrivate: false });
    await assert.rejects(
      refused(`${base}/`),
      (e: unknown) => e instanceof SafeFetchError && e.kind === "forbidden_address",
    );
  },
});

Deno.test("safeFetch: a body over the limit is said in the unit that shows it (256 KB, 10 MB), with the answer's status", async () => {
  await using server = serveLocal((req) => {
    const size = Number(new URL(req.url).searchParams.get("kb")) * 1024;
    const status = Number(new URL(req.url).searchParams.get("status") ?? "200");
    return new Response("x".repeat(size), { status });
  });
  const tooLarge = async (url: string, maxBytes?: number) => {
    try {
      await safeFetch({ allowPrivate: true, maxBytes })(url);
    } catch (e) {
      assert.ok(e instanceof SafeFetchError && e.kind === "too_large", String(e));
      return e;
    }
    assert.fail(`${url} was read whole`);
  };
  const kb = await tooLarge(`${server.base}/?kb=300&status=202`, 256 * 1024);
  assert.equal(kb.message, "the response is larger than 256 KB");
  assert.equal(kb.status, 202);
  const mb = await tooLarge(`${server.base}/?kb=${11 * 1024}&status=500`);
  assert.equal(mb.message, "the response is larger than 10 MB");
  assert.equal(mb.status, 500);
});

Deno.test("safeFetch: with redirects returned, a 3xx is the answer (its status and Location), never followed; by default a same-host one still is", async () => {
  const seen: string[] = [];
  await using server = serveLocal((req) => {
    const path = new URL(req.url).pathname;
    seen.push(`${req.method} ${path}`);
    if (path === "/hooks") {
      return new Response("moved", { status: 308, headers: { location: "/v2/hooks" } });
    }
    return new Response("followed");
  });
  const manual = safeFetch({ allowPrivate: true, redirects: "return" });
  const res = await manual(`${server.base}/hooks`, { method: "POST", body: "{}" });
  assert.equal(res.status, 308);
  assert.equal(res.headers.get("location"), "/v2/hooks");
  assert.equal(await res.text(), "moved");
  assert.deepEqual(seen, ["POST /hooks"]);
  // Another caller (CalDAV) keeps following a same-host redirect.
  const followed = await safeFetch({ allowPrivate: true })(`${server.base}/hooks`);
  assert.equal(await followed.text(), "followed");
  assert.deepEqual(seen, ["POST /hooks", "GET /hooks", "GET /v2/hooks"]);
});
