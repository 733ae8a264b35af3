/**
 * Insights of repeating event types (docs/decisions/048-recurring-series.md): series kept vs
 * cancelled.
 */
import type { App } from "../app.ts";
import type { BookingRecord, EventTypeRecord } from "../domain/model/records.ts";
import type { DateRange } from "../domain/insights.ts";
import { Temporal } from "../domain/temporal.ts";
import { listHostBookings } from "../store/bookings.ts";
import type { ChartSpec } from "../../shared/insights-types.ts";
import type { Translator } from "../../shared/i18n.ts";

type Kept = { series: number; booked: number; on: number; byGuest: number; byHost: number };

/** How a range's series dates ended up, from the bookings themselves (a moved date counts once). */
function keptOf(bookings: BookingRecord[]): Kept {
  const ids = new Set<string>();
  const k: Kept = { series: 0, booked: 0, on: 0, byGuest: 0, byHost: 0 };
  for (const b of bookings) {
    if (!b.series || b.rescheduledToId) continue;
    ids.add(b.series.id);
    k.booked++;
    if (b.status === "PENDING" || b.status === "CONFIRMED") k.on++;
    else if (b.endReason === "cancelled_by_guest") k.byGuest++;
    else if (b.endReason === "cancelled_by_host") k.byHost++;
  }
  k.series = ids.size;
  return k;
}

/**
 * Series kept vs cancelled, by repeating event type: the series with a date in the range, their
 * dates booked there, those still on (confirmed or pending) and those cancelled by the guest or
 * the host. Read from the host's bookings of the range. Null when the host has no repeating
 * event type (in the filter); a deleted repeating type's dates are no longer shown.
 */
export async function seriesChart(
  app: App,
  hostId: string,
  types: EventTypeRecord[],
  etId: string | null,
  range: DateRange,
  timeZone: string,
  t: Translator,
): Promise<ChartSpec | null> {
  // Reading the range's bookings is the one scan of this page: not for a host without a
  // repeating event type (in the filter) — most hosts, whose page it tripled (issue 23's bench).
  const repeating = types.some((et) =>
    et.series && !et.teamId && (etId === null || et.id === etId)
  );
  if (!repeating) return null;
  const fromMs = Temporal.PlainDate.from(range.from).toZonedDateTime({ timeZone })
    .epochMilliseconds;
  const toMs = Temporal.PlainDate.from(range.to).add({ days: 1 }).toZonedDateTime({ timeZone })
    .epochMilliseconds;
  const dates = (await listHostBookings(app.kv, hostId, { fromMs, toMs }))
    .filter((b) => b.series && (etId === null || b.eventTypeId === etId));
  const titles = new Map<string, string>();
  for (const et of types) {
    if (et.series && !et.teamId && (etId === null || et.id === etId)) titles.set(et.id, et.title);
  }
  for (const b of dates) if (!titles.has(b.eventTypeId)) titles.set(b.eventTypeId, b.eventTitle);
  if (titles.size === 0) return null;
  const kept = [...titles].map(([id, title]) => ({
    title,
    k: keptOf(dates.filter((b) => b.eventTypeId === id)),
  })).sort((a, b) => b.k.booked - a.k.booked || a.title.localeCompare(b.title));
  const pct = (k: Kept) => k.booked === 0 ? 0 : Math.round((k.on / k.booked) * 100);
  return {
    id: "series",
    title: t.t("ins.series_title"),
    description: t.t("ins.series_description"),
    kind: "bars",
    table: {
      columns: [
        t.t("ins.col_event_type"),
        t.t("ins.col_series_kept"),
        t.t("ins.col_series"),
        t.t("ins.col_series_dates"),
        t.t("ins.col_series_on"),
        t.t("ins.col_series_by_guest"),
        t.t("ins.col_series_by_host"),
      ],
      rows: kept.map(({ title, k }) => [
        title,
        pct(k),
        k.series,
        k.booked,
        k.on,
        k.byGuest,
        k.byHost,
      ]),
    },
    series: [{ column: 1, key: "kept", label: t.t("ins.col_series_kept") }],
    empty: t.t("ins.series_empty"),
    unit: { one: "%", many: "%" },
    notes: kept.map(({ k }) =>
      t.t("ins.series_note", {
        series: k.series,
        booked: k.booked,
        on: k.on,
        guest: k.byGuest,
        host: k.byHost,
      })
    ),
  };
}
