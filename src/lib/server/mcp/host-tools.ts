/**
 * A host's own scheduling over MCP (issue 28, ADR 036): one-off links, a booking for a named
 * guest, meeting polls, a whole seated meeting cancelled (by its organiser or a team's owner),
 * and the teams with their bookings. Each tool is one API route through `callRoute`, so scopes,
 * schemas, Idempotency-Key rules and refusals are the API's own.
 */
import * as v from "valibot";
import * as S from "../api/schemas/index.ts";
import {
  answered,
  argsOf,
  bodyOf,
  d,
  defined,
  hostCall,
  IdempotencyKey,
  Language,
  listFilters,
  listQuery,
  renamedProblem,
  TeamId,
  type Tool,
  toolArgs,
  withoutGuestLinks,
} from "./tool-kit.ts";

const OwnEventType = v.pipe(
  S.Slug,
  d("The slug of one of your own (personal) event types (list_event_types with your username)."),
);
const OwnTimes = <T extends v.GenericSchema>(schema: T, what: string) =>
  v.pipe(
    schema,
    d(
      `${what}, each a \`start\` find_available_times gives for your own event type (RFC 3339, ` +
        "e.g. 2026-12-01T09:00:00Z).",
    ),
  );
const PollId = v.pipe(S.Ulid, d("The poll's id (from create_poll or list_polls)."));
const LinkId = v.pipe(
  S.Ulid,
  d("The one-off link's id (from create_one_off_link or list_one_off_links)."),
);

const HB = S.HostBookingCreate.entries;
/**
 * `book_for_guest` takes the API's `HostBookingCreate` field for field, named as `book` names
 * them (snake_case, the guest under `guest`); the guest's language is `guest_language`, since
 * `language` is every tool's own (the words of its answer).
 */
const FOR_GUEST_NAMES: Record<string, string> = {
  eventType: "event_type",
  timeZone: "time_zone",
  outsideHours: "outside_hours",
  language: "guest_language",
};
const FOR_GUEST_INPUT = toolArgs({
  ...argsOf(HB, FOR_GUEST_NAMES),
  event_type: OwnEventType,
  start: v.pipe(
    HB.start,
    d(
      "The start (RFC 3339), e.g. a `start` find_available_times gives; outside your hours " +
        "only with `outside_hours: true`.",
    ),
  ),
  idempotency_key: IdempotencyKey,
  language: Language,
});

/**
 * The host's own scheduling (issue 28), seated meetings and teams: each tool one API route.
 */
export const HOST_SCHEDULING_TOOLS: Tool[] = [
  {
    name: "create_one_off_link",
    title: "Make a one-off booking link",
    description:
      "Makes a single-use link offering the guest 1–10 of your free times for one of your event " +
      "types; send its `url` to the guest. The first booking spends it; it expires at the last " +
      "offered time. Needs a write key.",
    need: "write",
    readOnly: false,
    input: toolArgs({
      event_type: OwnEventType,
      times: OwnTimes(S.OneOffLinkCreate.entries.times, "1–10 starts"),
      note: S.OneOffLinkCreate.entries.note,
      idempotency_key: IdempotencyKey,
      language: Language,
    }),
    run: async (c, a) => {
      const out = answered(
        await hostCall(c, "createOneOffLink", {
          body: defined({ eventType: a.event_type, times: a.times, note: a.note }),
          idempotencyKey: a.idempotency_key as string,
        }),
      );
      return out.ok
        ? out
        : { ...out, problem: renamedProblem(out.problem, { eventType: "event_type" }) };
    },
  },
  {
    name: "list_one_off_links",
    title: "List your one-off links",
    description:
      "Your one-off booking links, newest first: each one's `url`, offered times and state " +
      "(unused, used with its `bookingId`, expired, revoked). Needs your API key (read).",
    need: "read",
    readOnly: true,
    input: toolArgs({ language: Language }),
    run: async (c) => answered(await hostCall(c, "listOneOffLinks")),
  },
  {
    name: "revoke_one_off_link",
    title: "Revoke a one-off link",
    description:
      "Revokes an unused one-off link: its page offers nothing any more. A link already used " +
      "stays used (its booking is the guest's; cancel that booking instead). Needs a write key.",
    need: "write",
    readOnly: false,
    destructive: true,
    // A revoked link stays revoked: the same call again changes nothing.
    idempotent: true,
    input: toolArgs({ id: LinkId, language: Language }),
    run: async (c, a) =>
      answered(await hostCall(c, "revokeOneOffLink", { params: { id: a.id as string } })),
  },
  {
    name: "book_for_guest",
    title: "Book a time for a guest",
    description:
      "Books a time agreed elsewhere with a named guest on your behalf, by the same rules as " +
      "any booking (no overlap, caps, buffers); a start outside your hours needs " +
      "`outside_hours: true`. `event_type` is one of your own (list_event_types with your " +
      "username), `start` one of its times (find_available_times). The guest gets the " +
      "invitation with their own links by mail (in `guest_language`, default yours); " +
      "`confirmed: true` confirms it at once even when the event type asks for confirmation. " +
      "Needs a write key.",
    need: "write",
    readOnly: false,
    input: FOR_GUEST_INPUT,
    run: async (c, a) => {
      const res = await hostCall(c, "bookForGuest", {
        body: bodyOf(a, HB, FOR_GUEST_NAMES),
        idempotencyKey: a.idempotency_key as string,
      });
      const out = answered(res);
      if (!out.ok) return { ...out, problem: renamedProblem(out.problem, FOR_GUEST_NAMES) };
      const data = {
        ...withoutGuestLinks(out.data),
        replayed: res.headers?.["idempotent-replayed"] === "true",
      };
      return { ok: true, data };
    },
  },
  {
    name: "create_poll",
    title: "Propose times in a meeting poll",
    description:
      "Proposes 2–20 of your free times for one of your event types; send the poll's `url` to " +
      "the invitees, who answer yes, maybe or no to each. With `hold: true` the times are busy " +
      "for everyone else until one is picked (pick_poll_time), the poll is closed (close_poll) " +
      "or it expires. Read the answers with get_poll. Needs a write key.",
    need: "write",
    readOnly: false,
    input: toolArgs({
      event_type: OwnEventType,
      title: S.PollCreate.entries.title,
      times: OwnTimes(S.PollCreate.entries.times, "2–20 starts"),
      hold: S.PollCreate.entries.hold,
      until: S.PollCreate.entries.until,
      idempotency_key: IdempotencyKey,
      language: Language,
    }),
    run: async (c, a) => {
      const out = answered(
        await hostCall(c, "createPoll", {
          body: defined({
            eventType: a.event_type,
            title: a.title,
            times: a.times,
            hold: a.hold,
            until: a.until,
          }),
          idempotencyKey: a.idempotency_key as string,
        }),
      );
      return out.ok
        ? out
        : { ...out, problem: renamedProblem(out.problem, { eventType: "event_type" }) };
    },
  },
  {
    name: "list_polls",
    title: "List your meeting polls",
    description:
      "Your meeting polls, newest first: each one's id, title, proposed times, state (open, " +
      "booked, closed, expired) and invitees' `url`. The answers of one poll: get_poll. Needs " +
      "your API key (read).",
    need: "read",
    readOnly: true,
    input: toolArgs({ language: Language }),
    run: async (c) => answered(await hostCall(c, "listPolls")),
  },
  {
    name: "get_poll",
    title: "A poll's answers",
    description:
      "One poll with every invitee's answers (yes, maybe, no per time) and the counts per " +
      "time: what to read before pick_poll_time. Needs your API key (read).",
    need: "read",
    readOnly: true,
    input: toolArgs({ id: PollId, language: Language }),
    run: async (c, a) => answered(await hostCall(c, "getPoll", { params: { id: a.id as string } })),
  },
  {
    name: "pick_poll_time",
    title: "Book a poll's time",
    description:
      "Books one of the poll's times (`start`, from get_poll) for its invitees, confirmed, by " +
      "the same rules as any booking; the poll is then booked and takes no more answers. A " +
      "time taken meanwhile is refused and the poll stays open. Answers the booking. Needs a " +
      "write key.",
    need: "write",
    readOnly: false,
    input: toolArgs({
      id: PollId,
      start: S.PollPick.entries.start,
      location: S.PollPick.entries.location,
      phone: S.PollPick.entries.phone,
      idempotency_key: IdempotencyKey,
      language: Language,
    }),
    run: async (c, a) => {
      const res = await hostCall(c, "pickPollTime", {
        params: { id: a.id as string },
        body: defined({ start: a.start, location: a.location, phone: a.phone }),
        idempotencyKey: a.idempotency_key as string,
      });
      return answered(res);
    },
  },
  {
    name: "close_poll",
    title: "Close a poll without booking",
    description:
      "Closes an open poll: no more answers or picks, and its held times are free again. The " +
      "invitees are not mailed (their link says the poll is closed). Needs a write key.",
    need: "write",
    readOnly: false,
    destructive: true,
    // A closed poll stays closed: the same call again changes nothing (and says it is closed).
    idempotent: true,
    input: toolArgs({ id: PollId, language: Language }),
    run: async (c, a) =>
      answered(await hostCall(c, "closePoll", { params: { id: a.id as string } })),
  },
  {
    name: "cancel_meeting",
    title: "Cancel a whole seated meeting",
    description:
      "Cancels a seated meeting (a booking whose `seat` is set) with every seat of its time, " +
      "one `reason` for every guest; each guest is mailed and the time is free again. `id`: " +
      "any seat's booking id (from list_bookings, or list_team_bookings). As the meeting's " +
      "organiser, leave out `team_id`; as an owner of a team whose meeting another member " +
      "organises, give `team_id` (from list_teams). To cancel one seat alone, use cancel. " +
      "Needs a write key.",
    need: "write",
    readOnly: false,
    destructive: true,
    input: toolArgs({
      id: v.pipe(S.Ulid, d("Any seat's booking id (from list_bookings or list_team_bookings).")),
      team_id: v.optional(TeamId),
      reason: S.Reason.entries.reason,
      idempotency_key: IdempotencyKey,
      language: Language,
    }),
    run: async (c, a) =>
      answered(
        a.team_id === undefined
          ? await hostCall(c, "cancelSeatedMeeting", {
            params: { id: a.id as string },
            body: defined({ reason: a.reason }),
            idempotencyKey: a.idempotency_key as string,
          })
          : await hostCall(c, "cancelTeamSeatedMeeting", {
            params: { teamId: a.team_id as string, id: a.id as string },
            body: defined({ reason: a.reason }),
            idempotencyKey: a.idempotency_key as string,
          }),
      ),
  },
  {
    name: "list_teams",
    title: "List your teams",
    description:
      "The teams you are in, with your role (owner or member); a team's `id` is the `team_id` " +
      "of list_team_bookings, cancel_meeting and request_reschedule. Needs your API key (read).",
    need: "read",
    readOnly: true,
    input: toolArgs({ language: Language }),
    run: async (c) => answered(await hostCall(c, "listTeams")),
  },
  {
    name: "list_team_bookings",
    title: "List a team's bookings",
    description:
      "A team's bookings by start time, whoever hosts each: an owner reads all of them, a " +
      "member the ones they attend. Filters and cursor as in list_bookings. Needs your API key " +
      "(read).",
    need: "read",
    readOnly: true,
    input: toolArgs({ team_id: TeamId, ...listFilters, language: Language }),
    run: async (c, a) =>
      answered(
        await hostCall(c, "listTeamBookings", {
          params: { teamId: a.team_id as string },
          query: listQuery(a),
        }),
      ),
  },
];
