import assert from "node:assert/strict";
import { calendarColor } from "./calendar-provider.ts";

Deno.test("calendarColor: a server's calendar colour as the dashboard shows it — Apple's alpha byte dropped, anything but a hex colour is none", () => {
  assert.equal(calendarColor("#9FE1E7"), "#9fe1e7");
  assert.equal(calendarColor(" #FF2968FF "), "#ff2968");
  assert.equal(calendarColor("#abc"), null);
  assert.equal(calendarColor("red"), null);
  assert.equal(calendarColor("#ff2968; background:url(//x)"), null);
  assert.equal(calendarColor(""), null);
  assert.equal(calendarColor(null), null);
  assert.equal(calendarColor(0xff2968), null);
});
