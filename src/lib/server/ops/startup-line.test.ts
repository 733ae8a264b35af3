import assert from "node:assert/strict";
import { startupLine } from "./startup-line.ts";

Deno.test("startupLine: names the address it listens on unless a base URL was set", () => {
  assert.equal(
    startupLine({ hostname: "127.0.0.1", port: 9123 }, null),
    "Invito listening on http://127.0.0.1:9123 — open http://127.0.0.1:9123/",
  );
  assert.equal(
    startupLine({ hostname: "0.0.0.0", port: 3000 }, null),
    "Invito listening on http://0.0.0.0:3000 — open http://localhost:3000/",
  );
  assert.equal(
    startupLine({ hostname: "::1", port: 3000 }, null),
    "Invito listening on http://[::1]:3000 — open http://[::1]:3000/",
  );
  assert.equal(
    startupLine({ hostname: "0.0.0.0", port: 8080 }, new URL("https://meet.example.com/")),
    "Invito listening on http://0.0.0.0:8080 — open https://meet.example.com/",
  );
});
