import assert from "node:assert/strict";
import { mailboxKey } from "./mailbox.ts";

Deno.test("mailboxKey: case, +tags and Gmail's dots name one mailbox; other dots stay", () => {
  const same = (a: string, b: string) => assert.equal(mailboxKey(a), mailboxKey(b), `${a} ~ ${b}`);
  const differ = (a: string, b: string) =>
    assert.notEqual(mailboxKey(a), mailboxKey(b), `${a} ≠ ${b}`);
  same("ann@example.test", " ANN@Example.TEST ");
  same("ann@example.test", "ann+1@example.test");
  same("ann@example.test", "Ann+news+x@example.test");
  same("a.nn@gmail.com", "ann+z@googlemail.com");
  same("A.N.N@GMAIL.COM", "ann@gmail.com");
  differ("a.nn@example.test", "ann@example.test");
  differ("ann@example.test", "ann@example.org");
  differ("ann-1@example.test", "ann@example.test");
  // A "+" that starts the local part is not a tag.
  assert.equal(mailboxKey("+ann@example.test"), "+ann@example.test");
});
