/**
 * The host's booking list: open requests first, then upcoming, then past, with the state of
 * each booking's mails and calendar write so a failing integration is visible.
 */
import type { App } from "../app.ts";
import type { BookingRecord, UserRecord } from "../store/records.ts";
import { listHostBookings } from "../store/bookings.ts";
import { listBookingJobs } from "../store/outbox.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { viewBooking, type BookingView } from "./booking-view.ts";

export type StatusFilter = "all" | "pending" | "confirmed" | "rejected" | "cancelled";

export type HostBookingRow = BookingView & {
  startMs: number;
  group: "pending" | "upcoming" | "past";
  delivery: { kind: string; state: "queued" | "retrying" | "failed"; error: string | null; attempts: number }[];
};

export async function listBookingsForHost(app: App, host: UserRecord, filter: StatusFilter): Promise<HostBookingRow[]> {
  const nowMs = app.now();
  const all = await listHostBookings(app.kv, host.id);
  const keep = (b: BookingRecord) => {
    if (filter === "all") return true;
    if (filter === "pending") return b.status === "PENDING" && isLiveBooking(b, nowMs);
    if (filter === "cancelled") return b.status === "CANCELLED" || (b.status === "PENDING" && !isLiveBooking(b, nowMs));
    return b.status === filter.toUpperCase();
  };
  const rows: HostBookingRow[] = [];
  for (const b of all.filter(keep)) {
    const view = await viewBooking(app, b);
    const jobs = await listBookingJobs(app.kv, b.id);
    const group = view.state === "pending" ? "pending" : b.endMs > nowMs && view.state === "confirmed" ? "upcoming" : "past";
    rows.push({
      ...view,
      startMs: b.startMs,
      group,
      delivery: jobs.map(({ job, failed }) => ({
        kind: job.payload.kind === "booking_mail" ? describeMail(job.payload.mail) : job.payload.kind === "writeback" ? "Calendar entry" : "Email",
        state: failed ? "failed" : job.lastError === null ? "queued" : "retrying",
        error: job.lastError,
        attempts: job.attempts,
      })),
    });
  }
  const order = { pending: 0, upcoming: 1, past: 2 } as const;
  rows.sort((a, b) =>
    order[a.group] - order[b.group] || (a.group === "past" ? b.startMs - a.startMs : a.startMs - b.startMs)
  );
  return rows;
}

function describeMail(kind: string): string {
  return kind.startsWith("host_") ? "Email to you" : "Email to the guest";
}
