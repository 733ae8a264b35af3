/**
 * The host picks a meeting poll's time (ADR 050): booked through the engine for the invitees, in
 * one commit with the poll's "booked" marker (checked absent: a poll books once) and checking the
 * votes revision read before the votes (an invitee thanked for answering is in the meeting).
 */
import type { App } from "../app.ts";
import type {
  EventTypeRecord,
  GuestReader,
  PollRecord,
  PollVoteRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { decideLocation } from "../domain/locations.ts";
import { translator } from "../i18n.ts";
import { eventTypeRules } from "../domain/event-rules.ts";
import { keys } from "../store/keys.ts";
import { outboxWrites } from "../store/outbox.ts";
import { newId } from "../store/users.ts";
import { getEventType } from "../store/event-types.ts";
import { getPoll, holdVotes, readVotesForPick, releaseVotes } from "../store/polls.ts";
import { randomToken } from "../integrations/crypto.ts";
import { type BookRefusal, bookRefusal, parseStart } from "./book-slot.ts";
import { engineRules, runChange } from "./transaction.ts";
import { hostEventJob } from "./webhooks.ts";
import { hostClock, isoInstant } from "../../shared/format.ts";
import { PICK_HOLD_MS, pollMeeting, votesHeld } from "../domain/poll-voters.ts";
import { pollResource, releaseHolds, stateOf } from "./polls.ts";

export type PickResult =
  | { ok: true; bookingId: string }
  | {
    ok: false;
    reason:
      | BookRefusal
      | "closed"
      | "no_votes"
      /** The poll's event type is switched off (switched on again, the pick books). */
      | "poll_event_type_off"
      /** The poll's event type was deleted: the poll can no longer book. */
      | "poll_event_type_deleted";
  }
  /** No place chosen among several, or a missing or bad number (message references by field). */
  | { ok: false; reason: "invalid_answers"; errors: Record<string, string> };

/**
 * The host picks one of the poll's times: booked through the engine for the invitees (the first
 * who said yes to it is the booking's guest, every other invitee one of its additional guests;
 * every invitee is named in its note). A time taken
 * meanwhile is refused and the poll stays open.
 */
export async function pickPollTime(
  app: App,
  host: UserRecord,
  id: string,
  startText: string,
  /** Where it happens, when the event type offers several places; the number when the host calls. */
  place: { locationChoice?: string; phone?: string } = {},
): Promise<PickResult> {
  if (!/^[0-9A-Z]{26}$/.test(id)) return { ok: false, reason: "not_found" };
  const poll = await getPoll(app.kv, host.id, id);
  if (!poll) return { ok: false, reason: "not_found" };
  if (stateOf(poll, app.now()) !== "open") return { ok: false, reason: "closed" };
  // Read like every start a service takes (one time written two ways is one time).
  const i = poll.starts.indexOf(parseStart(startText)?.epochMilliseconds ?? NaN);
  // A time that has begun is no longer one to meet at (the poll stays open for the later ones).
  if (i < 0 || poll.starts[i] <= app.now()) return { ok: false, reason: "slot_unavailable" };
  const et = await getEventType(app.kv, host.id, poll.eventTypeId);
  // The poll is there: its event type's state is the refusal, not "no such poll".
  if (!et) return { ok: false, reason: "poll_event_type_deleted" };
  if (!et.active) return { ok: false, reason: "poll_event_type_off" };
  // The place by the booking form's rule: the host chooses it (voters gave none), and a Jitsi
  // place gets a room of its own (docs/decisions/042-meeting-locations.md).
  const decided = decideLocation(eventTypeRules(et).locations, {
    choice: place.locationChoice,
    phone: place.phone,
    random: randomToken(15),
  });
  if (!decided.ok) return { ok: false, reason: "invalid_answers", errors: decided.errors };
  // A held time's booking takes the hold's id: its commit replaces the hold with itself.
  const identity = { id: poll.holds?.[i]?.id ?? newId(app.now()), tokenSalt: randomToken(16) };
  // Exactly the votes there are when it commits: the commit checks the votes revision read
  // before them, so a vote landing meanwhile makes it read them again (an invitee thanked for
  // answering is in the meeting), and a vote after it finds the poll booked (refused). A crowd
  // answering faster than the pick commits is bounded by MAX_VOTES and the `poll_voter` limit.
  // After two rounds lost to answers, the answers wait for the pick (store/polls.ts holdVotes):
  // a crowd answering faster than a pick plans no longer keeps it from booking.
  let holding: string | null = null;
  try {
    for (let round = 0; round < PICK_ROUNDS; round++) {
      const { revision, picking, votes } = await readVotesForPick(app.kv, poll.id);
      if (votes.length === 0) return { ok: false, reason: "no_votes" };
      const res = await bookPoll(
        app,
        host,
        poll,
        et,
        i,
        votes,
        revision,
        identity,
        decided.location,
      );
      if (res.ok) {
        // The other held times are free again at once.
        if (poll.holds) await releaseHolds(app, host.id, et, poll.holds, identity.id);
        return { ok: true, bookingId: identity.id };
      }
      if (res.reason !== "conflict") return { ok: false, reason: bookRefusal(res.reason) };
      // Booked or closed meanwhile; else a vote changed since they were read: read them again.
      if ((await app.kv.get(keys.pollBooked(poll.id))).versionstamp) {
        return { ok: false, reason: "closed" };
      }
      if (round >= 1 && holding === null && !votesHeld(picking, app.now())) {
        holding = await holdVotes(
          app.kv,
          poll.id,
          picking.versionstamp,
          app.now() + PICK_HOLD_MS,
        );
      }
    }
    return { ok: false, reason: "busy" };
  } finally {
    if (holding !== null) await releaseVotes(app.kv, poll.id, holding);
  }
}

/** Rounds of reading the votes again before a pick answers "busy" (votes kept changing). */
const PICK_ROUNDS = 8;

/** The poll's booking of time `i` for `votes`, in one commit with its markers (see above). */
function bookPoll(
  app: App,
  host: UserRecord,
  poll: PollRecord,
  et: EventTypeRecord,
  i: number,
  votes: PollVoteRecord[],
  revision: string | null,
  identity: { id: string; tokenSalt: string },
  location: Extract<ReturnType<typeof decideLocation>, { ok: true }>["location"],
) {
  // The meeting is called what the poll was (mails, invitations, calendars, the booking list).
  const eventType = { ...et, title: poll.title, requiresConfirmation: false };
  // Each voter's mails about the meeting speak as the page they answered on did (ADR 050): its
  // language, the zone it named (else the host's, which it showed) and its clock. A vote from
  // before pages told us speaks the host's. Every voter is an attendee: the others are the
  // booking's additional guests, so they get its invitation, its updates and its CANCEL, and
  // stand in the calendars, like any guest's guests (they always fit: a poll takes the voters
  // whose part of the booking fits VOTERS_BYTES, domain/poll-voters.ts).
  const hostReading: GuestReader = {
    locale: host.locale ?? "en",
    timeZone: host.timeZone,
    clock: hostClock(host, host.locale ?? "en"),
  };
  const { guest, guestReading, ...others } = pollMeeting(votes, i, hostReading);
  // In the host's words, as they read it in their mails and list (French puts a space before
  // the colon).
  const note = translator(host.locale).t("poll.booked_note", {
    title: poll.title,
    voters: votes.map((v) => `${v.name} <${v.email}>`).join(", "),
  }).slice(0, 2000);
  return runChange(app, {
    lane: host.id,
    rules: engineRules(app, et),
    change: (nowMs) => ({
      kind: "create",
      booking: newBookingRecord(
        {
          ...identity,
          host,
          eventType,
          startMs: poll.starts[i],
          durationMin: et.durationMin,
          name: guest.name,
          email: guest.email,
          note,
          guestTimeZone: guestReading.timeZone,
          clock: guestReading.clock,
          // A vote without a reader: the host's language as the host has it (unset stays unset).
          locale: guest.reader ? guestReading.locale : host.locale,
          by: "host",
          location,
          origin: "poll",
          ...others,
          invitedBy: "host",
        },
        nowMs,
        app.config.bookingTtlMs,
      ),
      // Every press for a held time plans under the hold's id: only a receipt tells whose landed.
      ...(poll.holds?.[i]?.id === identity.id ? { heldId: true as const } : {}),
      // The poll's "booked" marker (checked absent: a poll books once, and no close or vote
      // landed before) and the poll record naming its booking ride in the booking's own write.
      extra: [
        {
          key: keys.pollBooked(poll.id),
          value: { v: 1, bookingId: identity.id },
          expectAbsent: true,
        },
        // The votes as read: any vote since is a conflict, and the pick reads them again.
        { key: keys.pollVotesRevision(poll.id), value: null, expectVersionstamp: revision },
        {
          key: keys.poll(poll.hostId, poll.id),
          value: { ...poll, bookingId: identity.id } satisfies PollRecord,
        },
        // The event, as `enqueue` would queue it, rides in the booking's own commit too.
        ...outboxWrites(hostEventJob([host.id], "poll.booked", {
          poll: pollResource({ ...poll, bookingId: identity.id }),
          start: isoInstant(poll.starts[i]),
          bookingId: identity.id,
        }, nowMs)),
      ],
    }),
  });
}
