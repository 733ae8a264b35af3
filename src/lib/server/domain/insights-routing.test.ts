import assert from "node:assert/strict";
import {
  parseRoutingMetric,
  routingCounts,
  routingDelta,
  routingMetric,
} from "./insights-routing.ts";

const F = "01KAZZZZZZZZZZZZZZZZZZZZZZ";

Deno.test("routingMetric: a form's steps read back, route ids with dots included; other metrics are none", () => {
  for (const routeId of ["*", "fallback", "r_abc", "a.b.c"]) {
    for (const stage of ["view", "submitted", "routed", "booked"] as const) {
      assert.deepEqual(parseRoutingMetric(routingMetric(F, routeId, stage)), {
        formId: F,
        routeId,
        stage,
      });
    }
  }
  for (const m of ["view", "submitted", "rf.", `rf.${F}.x.seen`, "rf.short.r.view", "by.guest"]) {
    assert.equal(parseRoutingMetric(m), null, m);
  }
});

Deno.test("routingDelta: views and submissions belong to the form, routed and booked to the route and its event type", () => {
  const step = { formId: F, routeId: "r_1", eventTypeId: "ET" };
  assert.deepEqual(routingDelta({ ...step, stage: "view" }, "2026-11-23"), {
    family: "ev",
    day: "2026-11-23",
    eventTypeId: "",
    metric: `rf.${F}.*.view`,
    n: 1,
  });
  assert.deepEqual(routingDelta({ ...step, stage: "booked" }, "2026-11-23"), {
    family: "ev",
    day: "2026-11-23",
    eventTypeId: "ET",
    metric: `rf.${F}.r_1.booked`,
    n: 1,
  });
});

Deno.test("routingCounts: each form's funnel, and with an event type only the routes' counts under it", () => {
  const rows = [
    { eventTypeId: "", metric: `rf.${F}.*.view`, n: 5 },
    { eventTypeId: "", metric: `rf.${F}.*.view`, n: 2 },
    { eventTypeId: "", metric: `rf.${F}.*.submitted`, n: 4 },
    { eventTypeId: "A", metric: `rf.${F}.r_1.routed`, n: 2 },
    { eventTypeId: "A", metric: `rf.${F}.r_1.booked`, n: 1 },
    { eventTypeId: "B", metric: `rf.${F}.fallback.routed`, n: 1 },
    { eventTypeId: "", metric: "submitted", n: 9 },
  ];
  const all = routingCounts(rows, null).get(F)!;
  assert.equal(all.views, 7);
  assert.equal(all.submitted, 4);
  assert.deepEqual([...all.routes], [["r_1", { routed: 2, booked: 1 }], ["fallback", {
    routed: 1,
    booked: 0,
  }]]);
  const onlyA = routingCounts(rows, "A").get(F)!;
  assert.equal(onlyA.views, 7, "a view is the form's, whatever the filter");
  assert.deepEqual([...onlyA.routes], [["r_1", { routed: 2, booked: 1 }]]);
  assert.equal(routingCounts(rows, "C").get(F)!.routes.size, 0);
});
