/**
 * Insights read back over HTTP from the built server, after a history made the way people make
 * it: a host in Asia/Kolkata finishes setup; guests request times on her page; one request is
 * moved while pending and then confirmed, one is confirmed and then moved, one is rejected. The
 * numbers come from the CSV downloads (the same as the page's tables), with the default period.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInClient } from "../support/team-signin.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { waitFor } from "../support/wait.ts";
import { finishSetupAllDay } from "../support/host-setup.ts";
import type { Client } from "../support/http.ts";

const ZONE = "Asia/Kolkata";

function kolkataDate(ms: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(ms);
}

/** The bookings page's row of a guest (each row starts at its `data-booking`). */
function rowOf(page: string, guest: string): { id: string; html: string } | null {
  for (const part of page.split(/(?=data-booking=")/)) {
    const id = /^data-booking="([0-9A-Z]{26})"/.exec(part)?.[1];
    if (id && part.includes(guest)) return { id, html: part };
  }
  return null;
}

Deno.test({
  name:
    "insights over HTTP: a request moved while pending then confirmed counts as confirmed; lead time and length count each meeting still on once; the default period shows meetings ahead; CSVs start with a BOM; the zone reads Asia/Kolkata",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const host = await signInClient(app, "hanna@example.test", smtp);
    await finishSetupAllDay(host, {
      name: "Hanna",
      username: "hanna",
      timeZone: ZONE,
      requiresConfirmation: true,
    });

    // The zone she chose is the zone she reads, under its IANA name.
    const profile = await host.get("/dashboard/profile");
    assert.match(profile.body, /Asia\/Kolkata/);
    assert.doesNotMatch(profile.body, /Calcutta/);

    const home = await (await fetch(`${app.baseUrl}/calendar/hanna`)).text();
    const slug = /href="\/calendar\/hanna\/([a-z0-9-]+)/.exec(home)![1];
    const day = kolkataDate(Date.now() + 2 * 86_400_000);
    const page = await (await fetch(
      `${app.baseUrl}/calendar/hanna/${slug}?tz=${encodeURIComponent(ZONE)}&date=${day}`,
    )).text();
    const slots = [...new Set([...page.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]))];
    assert.ok(slots.length >= 6, `free times on ${day}: ${slots.length}`);

    const book = async (name: string, start: string) => {
      const res = await fetch(`${app.baseUrl}/calendar/hanna/${slug}?/book`, {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          name,
          email: `${name.toLowerCase().replace(" ", ".")}@example.test`,
          note: "",
          start,
          tz: ZONE,
        }),
        redirect: "manual",
      });
      await res.body?.cancel();
      assert.equal(res.status, 303, `${name} booked`);
      return /\/booking\/([A-Za-z0-9_-]+)/.exec(res.headers.get("location")!)![1];
    };
    const move = async (token: string, start: string) => {
      const res = await fetch(`${app.baseUrl}/booking/${token}/reschedule`, {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ start }),
        redirect: "manual",
      });
      await res.body?.cancel();
      assert.equal(res.status, 303, "moved");
      return /\/booking\/([A-Za-z0-9_-]+)/.exec(res.headers.get("location")!)![1];
    };
    const decide = async (c: Client, guest: string, action: "confirm" | "reject") => {
      const list = await c.get("/dashboard/bookings");
      const row = rowOf(list.body, guest);
      assert.ok(row && row.html.includes("?/confirm"), `${guest} waits for a decision`);
      const res = await c.post(`/dashboard/bookings?/${action}`, { id: row.id });
      assert.equal(res.status, 200, `${action} ${guest}`);
    };
    const waiting = async (guest: string) =>
      rowOf((await host.get("/dashboard/bookings")).body, guest)?.html.includes("?/confirm");

    // A: requested, moved while still pending, then confirmed.
    const a = await book("Guest A", slots[0]);
    await move(a, slots[1]);
    await decide(host, "Guest A", "confirm");
    // B: requested, confirmed, then moved (confirmed again if the move asks for it).
    const b = await book("Guest B", slots[2]);
    await decide(host, "Guest B", "confirm");
    await move(b, slots[3]);
    if (await waiting("Guest B")) await decide(host, "Guest B", "confirm");
    // C: requested and rejected.
    await book("Guest C", slots[4]);
    await decide(host, "Guest C", "reject");

    const csv = async (path: string) => {
      const res = await host.request("GET", path);
      assert.equal(res.status, 200, path);
      return res;
    };
    const table = async (path: string) => parseCsv((await csv(path)).body);
    const total = (rows: (string | number)[][]) =>
      rows.slice(1).reduce((s, r) => s + Number(r[1]), 0);
    const row = (rows: (string | number)[][], label: string) =>
      Number(rows.find((r) => r[0] === label)?.[1]);

    // The funnel with the default period: three requests sent, two meetings won.
    const funnel = await waitFor(async () => {
      const rows = await table("/dashboard/insights/funnel.csv");
      const sent = row(rows, "Sent a booking");
      const confirmed = row(rows, "Confirmed");
      return sent === 3 && confirmed === 2 ? rows : false;
    }, {
      timeoutMs: 20_000,
      message: () => "the funnel to show 3 sent and 2 confirmed",
    }).catch(async (e) => {
      const rows = await table("/dashboard/insights/funnel.csv");
      assert.fail(`${e.message}; the funnel says ${JSON.stringify(rows)}`);
    });
    assert.equal(row(funnel, "Confirmed"), 2);

    // Lead time and length: the two meetings still on, each once at its final time.
    const ahead = `range=custom&from=${kolkataDate(Date.now())}&to=${
      kolkataDate(Date.now() + 30 * 86_400_000)
    }`;
    // Counts are netted and written about once a second (services/insights-count.ts): a move's
    // minus for the old time may land a write after the funnel's last step.
    for (const chart of ["lead-time", "meeting-length"]) {
      const path = `/dashboard/insights/${chart}.csv?${ahead}`;
      await waitFor(async () => total(await table(path)) === 2, {
        timeoutMs: 20_000,
        message: () => `${chart} to count the two meetings still on, each once`,
      }).catch(async (e) => {
        assert.fail(`${e.message}; it says ${JSON.stringify(await table(path))}`);
      });
    }
    // The default period reaches the meetings ahead.
    assert.equal(total(await table("/dashboard/insights/lead-time.csv")), 2, "default lead");
    const byDay = await table("/dashboard/insights/meetings-by-day.csv");
    const confirmedCol = byDay[0].indexOf("Confirmed");
    assert.equal(
      byDay.slice(1).reduce((s, r) => s + Number(r[confirmedCol]), 0),
      2,
      "two confirmed meetings ahead in the default period",
    );
    const insights = await host.get("/dashboard/insights");
    assert.equal(insights.status, 200);

    // A CSV starts with the UTF-8 byte-order mark (Excel on Windows reads it as UTF-8).
    const raw = await fetch(`${app.baseUrl}/dashboard/insights/funnel.csv`, {
      headers: { cookie: `authjs.session-token=${host.cookie("authjs.session-token")}` },
    });
    const bytes = new Uint8Array(await raw.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(raw.headers.get("content-type")!, /^text\/csv; charset=utf-8/);

    // The mails name her zone as she chose it.
    const hostMails = await waitFor(() => {
      const m = smtp.mails.filter((x) =>
        x.to.includes("hanna@example.test") && /Guest A/.test(x.subject)
      );
      return m.length ? m : false;
    });
    assert.match(hostMails[0].text, /Asia\/Kolkata/);
    for (const m of smtp.mails) assert.doesNotMatch(m.text, /Calcutta/, m.subject);
  },
});
