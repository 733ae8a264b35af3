/**
 * Shared setup for the CalDAV tests: a memory app (settable clock) that may reach 127.0.0.1, a
 * host with weekday hours in Europe/Berlin and a 30-minute event type, a real Radicale with a
 * "work" calendar, and small iCalendar builders.
 */
import { join } from "node:path";
import { type RadicaleHandle, startRadicale } from "../support/radicale.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../support/memory-app.ts";
import { waitFor } from "../support/wait.ts";
import type { EventTypeRecord, UserRecord } from "../../src/lib/server/domain/model/records.ts";
import { addCalendarAccount } from "../../src/lib/server/services/calendar-accounts.ts";

export type CaldavSetup = {
  app: TestApp;
  dav: RadicaleHandle;
  host: UserRecord;
  et: EventTypeRecord;
  accountId: string;
  [Symbol.asyncDispose](): Promise<void>;
};

/** 2026-11-20 is a Friday; the tests book and block in the week of Monday 23 November. */
export const NOW_ISO = "2026-11-20T08:00:00Z";

export async function setupCaldav(
  opts: {
    calendars?: string[];
    requiresConfirmation?: boolean;
    connect?: boolean;
    env?: Record<string, string>;
  } = {},
): Promise<CaldavSetup> {
  const dav = await startRadicale();
  const app = await memoryApp({
    nowIso: NOW_ISO,
    env: { INVITO_ALLOW_PRIVATE_CALDAV: "true", ...opts.env },
  });
  try {
    for (const name of opts.calendars ?? ["work"]) {
      await dav.mkcalendar(name, name[0].toUpperCase() + name.slice(1));
    }
    const host = await createHost(app, { weekly: WORKDAYS, timeZone: "Europe/Berlin" });
    const et = await createEventType(app, host, {
      slug: "call",
      title: "Intro call",
      durationMin: 30,
      requiresConfirmation: opts.requiresConfirmation ?? false,
    });
    let accountId = "";
    if (opts.connect ?? true) {
      const res = await addCalendarAccount(app, host, {
        serverUrl: dav.url,
        username: dav.username,
        password: dav.password,
      });
      if (!res.ok) throw new Error(`connecting the test account failed: ${res.message}`);
      accountId = res.accountId;
    }
    return {
      app,
      dav,
      host,
      et,
      accountId,
      async [Symbol.asyncDispose]() {
        app.close();
        await dav.stop();
      },
    };
  } catch (err) {
    app.close();
    await dav.stop();
    throw err;
  }
}

export function vevent(uid: string, lines: string[]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Invito tests//EN",
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20261101T000000Z",
    ...lines,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

/** Several components of one UID in one resource (a series and its overrides). */
export function vcalendar(uid: string, components: string[][]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Invito tests//EN",
    ...components.flatMap((
      c,
    ) => ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261101T000000Z", ...c, "END:VEVENT"]),
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

export async function deleteIcs(
  dav: RadicaleHandle,
  calendar: string,
  file: string,
): Promise<void> {
  const res = await fetch(`${dav.calendarUrl(calendar)}${file}`, {
    method: "DELETE",
    headers: { authorization: dav.authHeader },
  });
  await res.body?.cancel();
  if (res.status !== 200 && res.status !== 204) throw new Error(`DELETE ${file} → ${res.status}`);
}

/** GET one resource as a second, independent CalDAV client would; null for 404. */
export async function getIcs(dav: RadicaleHandle, url: string): Promise<string | null> {
  const res = await fetch(url, { headers: { authorization: dav.authHeader } });
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
  return await res.text();
}

/** Every resource href in a calendar (PROPFIND depth 1), as a second client sees them. */
export async function listHrefs(dav: RadicaleHandle, calendar: string): Promise<string[]> {
  const res = await fetch(dav.calendarUrl(calendar), {
    method: "PROPFIND",
    headers: { authorization: dav.authHeader, depth: "1", "content-type": "application/xml" },
    body:
      '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
  });
  const text = await res.text();
  return [...text.matchAll(/<(?:\w+:)?href>([^<]+\.ics)<\/(?:\w+:)?href>/g)].map((m) => m[1]);
}

/**
 * Stops Radicale without deleting its storage, so `dav.restart()` brings it back with the same
 * data on the same port. The process is the one this test started (found by its config file).
 */
export async function haltRadicale(dav: RadicaleHandle): Promise<void> {
  const config = join(dav.storageDir, "..", "config");
  let pid: number | null = null;
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).split("\0");
      if (cmd.some((a) => a.endsWith("radicale")) && cmd.includes(config)) {
        pid = Number(e.name);
        break;
      }
    } catch {
      // gone meanwhile
    }
  }
  if (pid === null) throw new Error("the test's radicale process was not found");
  Deno.kill(pid, "SIGTERM");
  await waitFor(async () => {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: dav.port });
      c.close();
      return false;
    } catch {
      return true;
    }
  }, { timeoutMs: 10_000, message: "radicale to stop listening" });
}

export const at = (iso: string) => Date.parse(iso);
export const MIN = 60_000;
