import assert from "node:assert/strict";
import { rateSubject } from "./rate-limit.ts";

Deno.test("rate subjects: IPv6 clients count by their /64, IPv4 by address, emails as themselves", () => {
  const net = "2001:db8:1:2::/64";
  for (
    const ip of [
      "2001:db8:1:2::1",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:0:0:0:9",
      "[2001:db8:1:2::abcd]",
      "fe80::1%eth0".replace("fe80:", "2001:db8:1:2:"),
    ]
  ) assert.equal(rateSubject(ip), net, ip);
  assert.equal(rateSubject("2001:db8:1:3::1"), "2001:db8:1:3::/64");
  assert.equal(rateSubject("::1"), "0:0:0:0::/64");
  assert.equal(rateSubject("::ffff:192.0.2.7"), "192.0.2.7");
  assert.equal(rateSubject("192.0.2.7"), "192.0.2.7");
  assert.equal(rateSubject("Ann@Example.test"), "ann@example.test");
  assert.equal(rateSubject("not:an:address"), "not:an:address");
});
