/**
 * A CalDAV password changed on the server (real Radicale): the host is mailed once per
 * interruption, in their language, where to enter the new one — as Google and Microsoft hosts
 * are told to reconnect. Before, nothing told them: booking paused on its own once the calendars
 * had not been read for twice the sync interval, and only the dashboard said why.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { setupCaldav } from "./caldav-helpers.ts";
import {
  listCalendarAccounts,
  saveCalendarSettings,
  syncAccountNow,
  updateCalendarPassword,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { keys } from "../../src/lib/server/store/keys.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const MIN = 60_000;

Deno.test({
  ...opts,
  name:
    "caldav sign-in refused: the host gets one mail per interruption in their language (eight syncs at once send one), saying where to enter the new password",
  async fn() {
    await using s = await setupCaldav();
    const { app, dav, host } = s;
    await app.kv.set(keys.user(host.id), { ...host, locale: "de" });
    const users = join(dav.storageDir, "..", "users");
    await Deno.writeTextFile(users, `${dav.username}:changed-1\n`);

    app.clock.ms += 15 * MIN;
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => syncAccountNow(app, host.id, s.accountId)),
    );
    assert.ok(runs.every((r) => r?.ok === false && r.error.kind === "auth"));
    for (let i = 0; i < 3; i++) {
      app.clock.ms += 15 * MIN;
      await syncAccountNow(app, host.id, s.accountId);
    }
    await deliverOutbox(app, app.now());
    const mails = () => app.mailer.sent.filter((m) => m.to === host.email);
    assert.equal(mails().length, 1, "one mail for the interruption");
    const [mail] = mails();
    assert.match(mail.subject, /Kalenderkonto/);
    assert.match(mail.text!, new RegExp(`${dav.username}`));
    assert.match(mail.text!, /Neues Passwort…/);
    assert.match(mail.text!, /Der Server hat Benutzername und Passwort nicht angenommen/);
    assert.match(mail.text!, /http:\/\/invito\.test\/dashboard\/calendars/);

    // The new password entered: the interruption is over; a later one gets its own mail.
    const fixed = await updateCalendarPassword(app, host.id, {
      accountId: s.accountId,
      password: "changed-1",
    });
    assert.ok(fixed?.ok && fixed.sync.ok, JSON.stringify(fixed));
    await Deno.writeTextFile(users, `${dav.username}:changed-2\n`);
    app.clock.ms += 15 * MIN;
    await syncAccountNow(app, host.id, s.accountId);
    app.clock.ms += 15 * MIN;
    await syncAccountNow(app, host.id, s.accountId);
    await deliverOutbox(app, app.now());
    assert.equal(mails().length, 2);
  },
});

Deno.test({
  ...opts,
  name:
    "caldav new password and settings saved many times at once: every password press is answered saved (one was told 'did not work'), the account signs in, and the deleted-calendar notice is gone",
  async fn() {
    await using s = await setupCaldav({ calendars: ["work", "home"] });
    const { app, dav, host } = s;
    const cals = (await listCalendarAccounts(app, host.id)).accounts[0].calendars;
    const work = cals.find((c) => c.name === "Work")!;
    const home = cals.find((c) => c.name === "Home")!;
    assert.ok(
      (await saveCalendarSettings(app, host.id, { conflicts: [work.id], writeback: work.id })).ok,
    );
    const del = await fetch(dav.calendarUrl("work"), {
      method: "DELETE",
      headers: { authorization: dav.authHeader },
    });
    await del.body?.cancel();
    await Deno.writeTextFile(join(dav.storageDir, "..", "users"), `${dav.username}:changed-3\n`);
    app.clock.ms += 15 * MIN;
    await syncAccountNow(app, host.id, s.accountId);
    await Deno.writeTextFile(
      join(dav.storageDir, "..", "users"),
      `${dav.username}:${dav.password}\n`,
    );
    app.clock.ms += 15 * MIN;
    await syncAccountNow(app, host.id, s.accountId);
    assert.ok((await listCalendarAccounts(app, host.id)).accounts[0].notice);

    await Deno.writeTextFile(join(dav.storageDir, "..", "users"), `${dav.username}:changed-4\n`);
    const presses = await Promise.all([
      ...Array.from(
        { length: 20 },
        () =>
          updateCalendarPassword(app, host.id, { accountId: s.accountId, password: "changed-4" }),
      ),
      ...Array.from(
        { length: 8 },
        () => saveCalendarSettings(app, host.id, { conflicts: [home.id], writeback: home.id }),
      ),
    ]);
    // Every password press is saved; settings pressed at once may be told they changed
    // meanwhile (as before), but one is saved and the notice goes with it.
    for (const p of presses.slice(0, 20)) assert.ok(p?.ok, JSON.stringify(p));
    assert.ok(presses.slice(20).some((p) => p?.ok));
    const after = (await listCalendarAccounts(app, host.id)).accounts[0];
    assert.equal(after.notice, null);
    assert.equal(after.error, null);
    assert.deepEqual(after.calendars.map((c) => [c.name, c.checkConflicts, c.writeback]), [[
      "Home",
      true,
      true,
    ]]);
    app.clock.ms += 15 * MIN;
    assert.equal((await syncAccountNow(app, host.id, s.accountId))?.ok, true);
  },
});
