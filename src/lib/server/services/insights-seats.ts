/**
 * Insights of seated event types (docs/decisions/040-seats.md): seats filled per time.
 */
import type { App } from "../app.ts";
import type { EventTypeRecord } from "../domain/model/records.ts";
import type { DateRange } from "../domain/insights.ts";
import { seatFill, seatsOf } from "../domain/seats.ts";
import { Temporal } from "../domain/temporal.ts";
import { listSeatLedgers } from "../store/seats.ts";
import type { ChartSpec } from "../../shared/insights-types.ts";
import type { Translator } from "../../shared/i18n.ts";

/**
 * Seats filled per time, by seated event type: the times of the range with a live seat, the
 * seats taken of those offered, the full times and the average fill. Read from the times'
 * ledgers (one range per seated event type), counted against today's seats per time. Null when
 * the host has no seated event type (in the filter).
 */
export async function seatsChart(
  app: App,
  types: EventTypeRecord[],
  etId: string | null,
  range: DateRange,
  timeZone: string,
  nowMs: number,
  t: Translator,
): Promise<ChartSpec | null> {
  const seated = types.flatMap((et) => {
    const seats = seatsOf(et);
    return seats && (etId === null || et.id === etId) ? [{ et, perTime: seats.perTime }] : [];
  });
  if (seated.length === 0) return null;
  const fromMs = Temporal.PlainDate.from(range.from).toZonedDateTime({ timeZone })
    .epochMilliseconds;
  const toMs = Temporal.PlainDate.from(range.to).add({ days: 1 }).toZonedDateTime({ timeZone })
    .epochMilliseconds;
  const fills = await Promise.all(seated.map(async ({ et, perTime }) => ({
    title: et.title,
    fill: seatFill(await listSeatLedgers(app.kv, et.id, fromMs, toMs), perTime, nowMs),
  })));
  const rows = fills
    .sort((a, b) => b.fill.times - a.fill.times || a.title.localeCompare(b.title))
    .map(({ title, fill }) => [
      title,
      fill.averageFillPct,
      fill.times,
      fill.seatsTaken,
      fill.seatsOffered,
      fill.fullTimes,
    ]);
  return {
    id: "seats",
    title: t.t("ins.seats_title"),
    description: t.t("ins.seats_description"),
    kind: "bars",
    table: {
      columns: [
        t.t("ins.col_event_type"),
        t.t("ins.col_average_fill"),
        t.t("ins.col_seated_times"),
        t.t("ins.col_seats_taken"),
        t.t("ins.col_seats_offered"),
        t.t("ins.col_full_times"),
      ],
      rows,
    },
    series: [{ column: 1, key: "fill", label: t.t("ins.col_average_fill") }],
    empty: t.t("ins.seats_empty"),
    unit: { one: "%", many: "%" },
    notes: fills.map(({ fill }) =>
      t.t("ins.seats_note", {
        times: fill.times,
        full: fill.fullTimes,
        taken: fill.seatsTaken,
        offered: fill.seatsOffered,
      })
    ),
  };
}
