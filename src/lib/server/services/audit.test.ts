/** What a `*_changed` audit entry lists (services/audit.ts `changedSaid`): what changed, not what was sent. */
import assert from "node:assert/strict";
import { changedSaid } from "./audit.ts";

const url = { code: "webhook_url", values: {} } as const;
const events = { code: "webhook_events", values: { n: 2 } } as const;
const off = { code: "webhook_switched", values: { enabled: "off" } } as const;

Deno.test("changedSaid: only fields whose value changed are listed, in the order given", () => {
  assert.deepEqual(
    changedSaid([
      { before: "https://a.test/", after: "https://a.test/", said: url },
      { before: ["a", "b"], after: ["a", "c"], said: events },
      { before: true, after: false, said: off },
    ]),
    { ...events, and: [off] },
  );
  assert.deepEqual(changedSaid([{ before: "x", after: "y", said: url }]), url);
});

Deno.test("changedSaid: a change that resends every value as it was is no change (null)", () => {
  assert.equal(
    changedSaid([
      { before: "https://a.test/", after: "https://a.test/", said: url },
      { before: ["a", "b"], after: ["a", "b"], said: events },
      { before: null, after: null, said: off },
    ]),
    null,
  );
  assert.equal(changedSaid([]), null);
});
