/**
 * Event titles for the troubleshooter. The busy cache keeps only time (ADR 005), so when the host
 * asks which event blocks a time, the calendars busy that day are read live, bounded in time,
 * and each busy window is named by the events behind it. Events marked private or confidential
 * are named "Private event" (in the host's language); a calendar that cannot be read in time just
 * shows no titles.
 */
import ICAL from "ical.js";
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { getAccountEntry, listHostCalendars } from "../store/calendars.ts";
import { connect, queryEvents } from "../integrations/caldav.ts";
import { unseal } from "../integrations/crypto.ts";
import { busyFromIcs } from "../integrations/ical-busy.ts";
import { ownUidMatcher } from "./sync-calendars.ts";
import { providerOf } from "./calendar-providers.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

const BUDGET_MS = 5_000;
const TITLE_MAX = 200;

export type TitledWindow = { startMs: number; endMs: number; title: string };

export async function calendarTitles(
  app: App,
  host: UserRecord,
  calendarIds: readonly string[],
  range: { fromMs: number; toMs: number },
  t: Translator = translator(null),
): Promise<Map<string, TitledWindow[]>> {
  const out = new Map<string, TitledWindow[]>();
  const wanted = new Set(calendarIds);
  const calendars = (await listHostCalendars(app.kv, host.id)).map((e) => e.value)
    .filter((c) => wanted.has(c.id));
  const isOwnUid = ownUidMatcher(app.config.baseUrl);
  const one = async (cal: (typeof calendars)[number]) => {
    const account = await getAccountEntry(app.kv, host.id, cal.accountId);
    if (!account.value) return;
    // Titles are read over CalDAV only; Google and Microsoft calendars show their busy time untitled.
    if (providerOf(account.value) !== "caldav") return;
    const password = await unseal(app.credentialKey, account.value.password);
    if (password === null) return;
    const conn = connect({ username: account.value.username, password }, {
      allowPrivate: app.config.allowPrivateCaldav,
    });
    const read = await queryEvents(conn, cal.url, range);
    if (!read.ok) return;
    const list: TitledWindow[] = [];
    for (const obj of read.objects) {
      if (!obj.data) continue;
      const title = titleOf(obj.data, t);
      const parsed = busyFromIcs(obj.data, { ...range, hostTimeZone: host.timeZone, isOwnUid });
      for (const w of parsed.windows) list.push({ ...w, title });
    }
    out.set(cal.id, list);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(calendars.map(one)),
    new Promise((resolve) => timer = setTimeout(resolve, BUDGET_MS)),
  ]);
  clearTimeout(timer);
  return out;
}

function titleOf(ics: string, t: Translator): string {
  try {
    const root = new ICAL.Component(ICAL.parse(ics) as unknown[]);
    const ev = root.getFirstSubcomponent("vevent");
    if (!ev) return t.t("ts.title_event");
    const cls = String(ev.getFirstPropertyValue("class") ?? "PUBLIC").toUpperCase();
    if (cls === "PRIVATE" || cls === "CONFIDENTIAL") return t.t("ts.title_private");
    const summary = ev.getFirstPropertyValue("summary");
    const text = typeof summary === "string"
      ? summary.replace(/[\u0000-\u001f\u007f]/g, " ").trim()
      : "";
    return text ? text.slice(0, TITLE_MAX) : t.t("ts.title_untitled");
  } catch {
    return t.t("ts.title_event");
  }
}
