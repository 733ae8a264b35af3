/**
 * A guest books a slot: the service checks that the time is one the host offers, then hands a
 * "create" change to the transaction runner, which decides (overlap, caps, pending requests,
 * external calendars) and commits in one guarded write (domain/booking-engine/).
 */
import type { App } from "../app.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import {
  checkAnswers,
  choiceProblems,
  chooseDuration,
  eventTypeRules,
} from "../domain/event-rules.ts";
import { decideLocation } from "../domain/locations.ts";
import { thankYouOf } from "../domain/embed.ts";
import { getUserByUsernameCached } from "../store/users.ts";
import { isActive } from "../domain/admin.ts";
import { getEventTypeBySlugCached } from "../store/event-types.ts";
import type { EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import { randomToken } from "../integrations/crypto.ts";
import { engineRules, runChange } from "./transaction.ts";
import { readPageRevision } from "./page-revision.ts";
import { unlessClosedMeanwhile } from "./closed-meanwhile.ts";
import { bookingTokenNow } from "./booking-links.ts";
import { decideSource } from "../../shared/booking-extras.ts";
import { decideGuests } from "../../shared/booking-guests.ts";
import { bookSeries } from "./book-series.ts";
import { seriesOf } from "../domain/series.ts";
import { routedBooking } from "./routing-visits.ts";
import { refusedUnlessRepeated } from "./repeat-posts.ts";
import {
  type BookInput,
  type BookResult,
  extraOf,
  type GuestChecked,
  isOffered,
  newBookingBasics,
  parseStart,
} from "./book-basics.ts";

export {
  type BookInput,
  type BookRefusal,
  bookRefusal,
  type BookResult,
  isOffered,
  parseStart,
} from "./book-basics.ts";

/**
 * What the guest filled in beyond name and email, checked against the event type: the answers to
 * its questions and the place they chose (a new room when it is one). Errors are keyed by the
 * form field (`q_{id}`, `location`, `phone`) and are message references.
 */
export function checkGuestInput(
  et: EventTypeRecord,
  input: Pick<
    BookInput,
    "rawAnswers" | "unknownAnswers" | "locationChoice" | "phone" | "guests" | "source" | "email"
  >,
): ({ ok: true } & GuestChecked) | { ok: false; errors: Record<string, string> } {
  const checked = checkAnswers(eventTypeRules(et).questions, input.rawAnswers ?? {}, {
    unknown: input.unknownAnswers,
  });
  const guests = decideGuests(input.guests ?? "", eventTypeRules(et).maxGuests, input.email);
  const place = decideLocation(eventTypeRules(et).locations, {
    choice: input.locationChoice,
    phone: input.phone,
    random: randomToken(15),
  });
  const choices = input.unknownAnswers === "refuse" ? choiceProblems(et, input) : {};
  if (!checked.ok || !place.ok || !guests.ok || Object.keys(choices).length) {
    return {
      ok: false,
      errors: {
        ...(checked.ok ? {} : checked.errors),
        ...(place.ok ? {} : place.errors),
        ...(guests.ok ? {} : { guests: guests.error }),
        ...choices,
      },
    };
  }
  return {
    ok: true,
    answers: checked.answers,
    location: place.location,
    additionalGuests: guests.guests,
    source: decideSource((f) => input.source?.[f]),
  };
}

export async function bookSlot(app: App, input: BookInput): Promise<BookResult> {
  // One read of the host's revisions vouches for the settings copy read below (the host, the
  // event type, the hours): they are as of this request, not up to a second old, and a host
  // booked often costs this read instead of re-reading them every second (issue 26).
  const read = await readPageRevision(app, { username: input.username });
  const host = await getUserByUsernameCached(app.kv, input.username);
  // A suspended host takes no new bookings (issue 32), whichever door the request came by.
  if (!host || !isActive(host)) return { ok: false, reason: "not_found" };
  const result = await bookOf(app, input, host);
  return await unlessClosedMeanwhile(app, { runChange, engineRules }, read?.closed ?? null, result);
}

async function bookOf(app: App, input: BookInput, host: UserRecord): Promise<BookResult> {
  const et = await getEventTypeBySlugCached(app.kv, host.id, input.slug);
  if (!et || !et.active) return { ok: false, reason: "not_found" };
  const checked = checkGuestInput(et, input);
  if (!checked.ok) return { ok: false, reason: "invalid_answers", errors: checked.errors };
  if (input.checkOnly) return { ok: false, reason: "invalid_answers", errors: {} };
  const durationMin = chooseDuration(et, input.durationMin);
  const start = parseStart(input.start);
  if (durationMin === null || !start) return { ok: false, reason: "slot_unavailable" };
  // A routing form's visitor: the booking names the response it came from (routing-booked.ts).
  const routing = (await routedBooking(app, input.routing, et.id))?.routing ?? null;
  // A recurring series books every date at once (services/book-series.ts).
  if (seriesOf(et)) {
    return await bookSeries(app, {
      host,
      et,
      start,
      durationMin,
      input,
      ...checked,
      routing,
      onStep: input.onSeriesStep,
    });
  }
  if (!(await isOffered(app, host, et, start, durationMin))) {
    return { ok: false, reason: "slot_unavailable" };
  }

  const status = et.requiresConfirmation ? "PENDING" : "CONFIRMED";
  const { identity, kind } = newBookingBasics(app, et);
  let guestToken: string | undefined;
  const guestTokenOnce = () => guestToken ??= bookingTokenNow(app, identity, "guest");
  const res = await runChange(app, {
    lane: host.id,
    rules: engineRules(app, et),
    change: (nowMs) => {
      const booking = newBookingRecord(
        {
          ...identity,
          host,
          eventType: et,
          startMs: start.epochMilliseconds,
          durationMin,
          name: input.name,
          email: input.email,
          note: input.note,
          guestTimeZone: canonicalTimeZone(input.timeZone) ?? host.timeZone,
          clock: input.clock,
          locale: input.locale,
          answers: checked.answers,
          location: checked.location,
          by: "guest",
          singleUseLinkId: input.singleUseLinkId,
          ...(input.origin ? { origin: input.origin } : {}),
          offeredStarts: input.offeredStarts,
          additionalGuests: checked.additionalGuests,
          source: checked.source,
          routing,
          bookerTag: input.bookerTag,
        },
        nowMs,
        app.config.bookingTtlMs,
      );
      // A seat's booking is completed by its plan (the meeting it joins): not known here.
      const made = kind.kind === "create"
        ? { booking, eventType: et, nowMs, guestToken: guestTokenOnce }
        : null;
      return { ...kind, booking, extra: extraOf(input.extra, made) };
    },
  });
  if (!res.ok) {
    // The same browser's identical post before this one may be what took the time.
    const ask = {
      list: { hostId: host.id },
      eventType: et,
      startMs: start.epochMilliseconds,
      email: input.email,
      bookerTag: input.bookerTag,
    };
    return await refusedUnlessRepeated(app, ask, res.reason);
  }
  return {
    ok: true,
    bookingId: identity.id,
    booking: res.plan.booking ?? undefined,
    eventType: et,
    guestToken: guestTokenOnce(),
    status,
    thankYou: thankYouOf(et, res.plan.booking!),
  };
}
