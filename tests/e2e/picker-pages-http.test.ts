/**
 * The dashboard's time pickers ("Offer specific times", meeting polls) page through the event
 * type's booking window, over HTTP against the built server, as a browser without scripts sends
 * them: "Later days" / "Earlier days" are buttons of the picker's own form sent as a GET, so what
 * the host ticked and wrote comes back with the next days, and times ticked on other days are
 * listed (ticked) to be posted with the rest. They listed only the next 14 days, while the API
 * took any time within the booking window.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { fromTomorrow, slotsIn } from "../support/slots.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

const HOST = "demo@invito.example";
/** The demo host's zone (the pickers list days in it). */
const ZONE = "Europe/Berlin";

const ticked = (html: string) => [
  ...new Set(
    [...html.matchAll(/<input type="checkbox" name="start" value="([^"]+)"([^>]*)>/g)]
      .filter((m) => /\bchecked\b/.test(m[2])).map((m) => m[1]),
  ),
];
const starts = (html: string) => [
  ...new Set([...html.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1])),
];
/** The value of the pager's button (`earlier` or `later`, the one above the days). */
const pageFrom = (html: string, which: "earlier" | "later") =>
  new RegExp(`name="from" value="([^"]+)" data-testid="picker-${which}-top"`).exec(html)?.[1] ??
    null;
const section = (html: string, testId: string) =>
  new RegExp(`data-testid="${testId}"[\\s\\S]*?</fieldset>`).exec(html)?.[0] ?? "";

Deno.test({
  name:
    "dashboard pickers over HTTP: Later / Earlier days page to the booking window's end without scripts, keeping the ticks and fields; a link and a poll take times from several pages",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInByLink(app, HOST, { smtp });
    const today = Temporal.Now.plainDateISO(ZONE);
    // The demo's quick chat is bookable 60 days ahead.
    const lastDay = today.add({ days: 60 });
    const dayOf = (iso: string) =>
      Temporal.Instant.from(iso).toZonedDateTimeISO(ZONE).toPlainDate();

    for (
      const [path, fields] of [
        ["/dashboard/bookings/offer", { note: "Any of these" }],
        ["/dashboard/polls", { title: "Planning", until: "" }],
      ] as const
    ) {
      const first = await host.get(`${path}?type=quick-chat`);
      assert.equal(first.status, 200, path);
      assert.equal(pageFrom(first.body, "earlier"), null, `${path}: nothing before today`);
      const later = pageFrom(first.body, "later");
      assert.equal(later, today.add({ days: 14 }).toString(), `${path}: the next page`);
      const onFirst = starts(first.body);
      assert.ok(onFirst.length > 0);
      assert.ok(onFirst.every((s) => Temporal.PlainDate.compare(dayOf(s), later!) < 0));
      // The times ticked and posted are from tomorrow on: one of today's can pass while the test
      // pages and posts, and a passed time is neither listed again nor taken.
      const ahead = fromTomorrow(onFirst, ZONE);
      const x = ahead[0];

      // "Later days", pressed with x ticked: the form's fields and the button's value as a GET.
      const next = await host.get(
        `${path}?${new URLSearchParams({ type: "quick-chat", start: x, ...fields, from: later! })}`,
      );
      assert.equal(next.status, 200);
      const onNext = starts(next.body).filter((s) => s !== x);
      assert.ok(onNext.length > 0, `${path}: the days after the first two weeks`);
      assert.ok(onNext.every((s) => Temporal.PlainDate.compare(dayOf(s), later!) >= 0));
      assert.deepEqual(ticked(next.body), [x], `${path}: the tick comes along`);
      assert.ok(section(next.body, "picker-others").includes(`value="${x}"`));
      assert.equal(pageFrom(next.body, "earlier"), today.toString());
      assert.equal(pageFrom(next.body, "later"), today.add({ days: 28 }).toString());
      if ("note" in fields) assert.match(next.body, />Any of these<\/textarea>/);
      else assert.match(next.body, /name="title" maxlength="100" value="Planning"/);

      // The last page ends on the booking window's last day; asking beyond it lands there.
      const end = await host.get(`${path}?type=quick-chat&from=2100-01-01`);
      assert.equal(end.status, 200);
      assert.equal(pageFrom(end.body, "later"), null, `${path}: nothing after the window`);
      assert.match(end.body, /This event type takes bookings up to/);
      // A full page of days, the window's last two weeks (it once showed the last day alone).
      assert.equal(pageFrom(end.body, "earlier"), lastDay.subtract({ days: 13 + 14 }).toString());
      const onEnd = starts(end.body);
      assert.ok(onEnd.length > 0);
      assert.ok(onEnd.every((s) => Temporal.PlainDate.compare(dayOf(s), lastDay) <= 0));
      assert.ok(
        onEnd.some((s) => Temporal.PlainDate.compare(dayOf(s), today.add({ days: 50 })) > 0),
        `${path}: the last weeks of the window are offered`,
      );
      // Not a date: today's page.
      assert.equal(
        pageFrom((await host.get(`${path}?type=quick-chat&from=soon`)).body, "later"),
        later,
      );

      // Created with a time from each page, posted back to the page it was on.
      const y = onNext.at(-1)!;
      const form = new URLSearchParams({ type: "quick-chat", ...fields });
      form.append("start", x);
      form.append("start", y);
      if (!("note" in fields)) form.append("start", onEnd.at(-1)!);
      const made = await host.post(`${path}?/create&type=quick-chat&from=${later}`, form);
      assert.equal(made.status, 200, made.body.slice(0, 300));
      const url = /data-testid="(?:offer|poll)-url">([^<]+)</.exec(made.body)?.[1];
      assert.ok(url, `${path}: made`);
      if ("note" in fields) {
        // The link offers the far time.
        const linkPath = new URL(url).pathname;
        const page = await (await fetch(
          `${app.baseUrl}${linkPath}?tz=${ZONE}&date=${dayOf(y)}`,
        )).text();
        assert.ok(slotsIn(page).includes(y), `${y} in ${slotsIn(page)}`);
      }
      // After the refusal of too many times, those of other days come back listed with words.
      const many = new URLSearchParams({ type: "quick-chat", ...fields });
      for (const s of [...ahead.slice(1, 8), ...onNext.slice(0, 20)]) many.append("start", s);
      const refused = await host.post(`${path}?/create&type=quick-chat&from=${later}`, many);
      assert.equal(refused.status, 400);
      const others = section(refused.body, "picker-others");
      for (const s of ahead.slice(1, 8)) assert.ok(others.includes(`value="${s}"`), s);
      assert.ok(ticked(refused.body).length === 7 + Math.min(20, onNext.length));
    }
  },
});
