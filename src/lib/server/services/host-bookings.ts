/**
 * The host's booking list: open requests first, then upcoming, then past, with the state of
 * each booking's mails and calendar write so a failing integration is visible.
 */
import type { App } from "../app.ts";
import type { BookingRecord, UserRecord } from "../store/records.ts";
import { getBooking, listHostBookings } from "../store/bookings.ts";
import { getFailedJob, listBookingJobs, requeueFailed } from "../store/outbox.ts";
import { getBookingWritebacks } from "../store/calendars.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { type BookingView, viewBooking } from "./booking-view.ts";

export type StatusFilter = "all" | "pending" | "confirmed" | "rejected" | "cancelled";

export type HostBookingRow = BookingView & {
  startMs: number;
  group: "pending" | "upcoming" | "past";
  delivery: {
    id: string;
    /** What the job does: a mail to the host or the guest, the calendar entry, another mail. */
    kind: "mail_host" | "mail_guest" | "calendar" | "mail";
    state: "queued" | "retrying" | "failed";
    error: string | null;
    attempts: number;
  }[];
  /** The booking's event in the host's calendar, once written. */
  calendarEntry: { calendarName: string; writtenAtMs: number } | null;
  /** The guest's answers to the event type's questions, labelled as asked; unanswered ones left out. */
  answers: { label: string; value: string }[];
  /** Where the meeting happens, as booked ("" when not set). */
  location: string;
  /** The meeting link of a video location, to open from the list. */
  locationUrl: string | null;
};

export async function listBookingsForHost(
  app: App,
  host: UserRecord,
  filter: StatusFilter,
  /** The reader's locale (dates, answers, locations); default the host's profile language. */
  locale: string = host.locale ?? "en",
): Promise<HostBookingRow[]> {
  const nowMs = app.now();
  const all = await listHostBookings(app.kv, host.id);
  const keep = (b: BookingRecord) => {
    if (filter === "all") return true;
    if (filter === "pending") return b.status === "PENDING" && isLiveBooking(b, nowMs);
    if (filter === "cancelled") {
      return b.status === "CANCELLED" || (b.status === "PENDING" && !isLiveBooking(b, nowMs));
    }
    return b.status === filter.toUpperCase();
  };
  const rows: HostBookingRow[] = [];
  const kept = all.filter(keep);
  const confirmed = kept.filter((b) => b.status === "CONFIRMED").map((b) => b.id);
  const written = await getBookingWritebacks(app.kv, confirmed);
  for (const b of kept) {
    const view = await viewBooking(app, b, locale);
    const jobs = await listBookingJobs(app.kv, b.id);
    const group = view.state === "pending"
      ? "pending"
      : b.endMs > nowMs && view.state === "confirmed"
      ? "upcoming"
      : "past";
    rows.push({
      ...view,
      startMs: b.startMs,
      group,
      answers: view.answers,
      location: view.location,
      locationUrl: view.locationUrl,
      calendarEntry: written.has(b.id)
        ? {
          calendarName: written.get(b.id)!.calendarName,
          writtenAtMs: written.get(b.id)!.writtenAtMs,
        }
        : null,
      delivery: jobs.map(({ job, failed }) => ({
        id: job.id,
        kind: job.payload.kind === "booking_mail"
          ? (job.payload.mail.startsWith("host_") ? "mail_host" : "mail_guest")
          : job.payload.kind === "writeback"
          ? "calendar"
          : "mail",
        state: failed ? "failed" : job.lastError === null ? "queued" : "retrying",
        error: job.lastError,
        attempts: job.attempts,
      })),
    });
  }
  const order = { pending: 0, upcoming: 1, past: 2 } as const;
  rows.sort((a, b) =>
    order[a.group] - order[b.group] ||
    (a.group === "past" ? b.startMs - a.startMs : a.startMs - b.startMs)
  );
  return rows;
}

/** "Retry" on a failed mail or calendar write of one of the host's bookings: back into the queue. */
export async function retryDelivery(app: App, hostId: string, jobId: string): Promise<boolean> {
  const job = await getFailedJob(app.kv, jobId);
  const kind = job?.payload.kind;
  if (!job || (kind !== "booking_mail" && kind !== "writeback")) return false;
  const booking = await getBooking(app.kv, job.payload.bookingId);
  if (!booking || booking.hostId !== hostId) return false;
  const requeued = await requeueFailed(app.kv, jobId, app.now());
  if (requeued) app.kickOutbox();
  return requeued !== null;
}
