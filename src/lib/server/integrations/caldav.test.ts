import assert from "node:assert/strict";
import { sameSite } from "./caldav.ts";

Deno.test("sameSite: the password goes to the account's host or a sibling under its parent domain, nowhere else", () => {
  assert.equal(
    sameSite("https://p45-caldav.icloud.com/123/calendars/", "https://caldav.icloud.com/"),
    true,
  );
  assert.equal(sameSite("http://127.0.0.1:5232/alice/", "http://127.0.0.1:5232/"), true);
  assert.equal(
    sameSite("https://attacker.example/cal/", "https://cloud.example.com/remote.php/dav"),
    false,
  );
  assert.equal(
    sameSite("https://evil.icloud.com.attacker.net/", "https://caldav.icloud.com/"),
    false,
  );
  assert.equal(sameSite("http://10.0.0.2/", "http://10.0.0.1/"), false);
});
