import assert from "node:assert/strict";
import { assertReachable, isForbiddenAddress, safeFetch, SafeFetchError } from "./safe-fetch.ts";
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
  ];
  const allowed = [
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
  ];
  for (const ip of refused) assert.equal(isForbiddenAddress(ip), true, ip);
  for (const ip of allowed) assert.equal(isForbiddenAddress(ip), false, ip);
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
        e instanceof SafeFetchError && e.kind === "network" && /no answer/.test(e.message),
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
