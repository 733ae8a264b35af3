/**
 * Booking pages for programs: a short markdown page per event type (what it is, its lengths, the
 * next free slots in the asked zone, how to book through the API) and `/llms.txt` describing the
 * public API. The slots are the booking page's own (`getSlotRange`).
 */
import type { App } from "../app.ts";
import { getHostPage } from "./public-calendar.ts";
import { getSlotRange } from "./slot-range.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import { civilDateLabel, formatTime, isoDateIn, isoInstant } from "../../shared/format.ts";
import { describeDuration } from "../config.ts";
import { Temporal } from "../domain/temporal.ts";
import { ianaZoneName } from "../../shared/time-zone-names.ts";
import { IDEMPOTENCY_KEY_PLACEHOLDER } from "./idempotency.ts";

/**
 * How far ahead the page looks for free slots, and about how many it lists: whole days only
 * (never part of a day, so a program never takes a listed day for all of it), at least the
 * first day with free times, then as many whole days as fit.
 */
const LOOKAHEAD_DAYS = 14;
export const MAX_SLOTS = 24;

const md = (s: string) => s.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`).replace(/\s+/g, " ").trim();

export async function hostMarkdown(app: App, username: string): Promise<string | null> {
  const page = await getHostPage(app, username.toLowerCase());
  if (!page) return null;
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  const u = page.host.username;
  const lines = [
    `# Book a meeting with ${md(page.host.name)}`,
    "",
    `Time zone of the host: ${ianaZoneName(page.host.timeZone)}.`,
    "",
    "## Event types",
    "",
    ...page.eventTypes.map((et) =>
      `- [${md(et.title)}](${base}/calendar/${u}/${et.slug}.md) — ${et.durationMin} min` +
      (et.description ? `: ${md(et.description).slice(0, 200)}` : "")
    ),
    "",
    `Machine-readable: ${base}/api/v1/users/${u}/event-types (JSON). API reference: ${base}/docs/api`,
    "",
  ];
  return lines.join("\n");
}

export async function eventTypeMarkdown(
  app: App,
  q: { username: string; slug: string; timeZone: string | null },
): Promise<string | null> {
  const page = await getHostPage(app, q.username.toLowerCase());
  const et = page?.eventTypes.find((e) => e.slug === q.slug.toLowerCase());
  if (!page || !et) return null;
  const tz = (q.timeZone && canonicalTimeZone(q.timeZone)) || page.host.timeZone;
  const nowMs = app.now();
  const today = Temporal.PlainDate.from(isoDateIn(nowMs, tz));
  const range = await getSlotRange(app, {
    username: page.host.username,
    slug: et.slug,
    start: today.toString(),
    end: today.add({ days: LOOKAHEAD_DAYS - 1 }).toString(),
    timeZone: tz,
  });
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  const u = page.host.username;
  const slotLines: string[] = [];
  let listed = 0;
  /** The free times of the days not listed, and the first such day. */
  let more = 0;
  let moreFrom: string | null = null;
  const lastDay = today.add({ days: LOOKAHEAD_DAYS - 1 }).toString();
  if (range.ok) {
    for (const day of range.days) {
      if (day.starts.length === 0) continue;
      if (moreFrom === null && (listed === 0 || listed + day.starts.length <= MAX_SLOTS)) {
        listed += day.starts.length;
        slotLines.push(
          `- ${civilDateLabel(day.date)}: ` +
            Array.from(day.starts).map((ms) => `${formatTime(ms, tz)} (\`${isoInstant(ms)}\`)`)
              .join(", "),
        );
      } else {
        moreFrom ??= day.date;
        more += day.starts.length;
      }
    }
  }
  const slotsUrl = (from: string, to: string) =>
    `${base}/api/v1/users/${u}/event-types/${et.slug}/slots?start=${from}&end=${to}&timeZone=${
      encodeURIComponent(tz)
    }`;
  const lengths = et.durations.length > 1
    ? `${et.durationMin} minutes by default; also ${
      et.durations.filter((d) => d !== et.durationMin).join(", ")
    } minutes (send \`durationMin\`)`
    : `${et.durationMin} minutes`;
  const example = {
    username: u,
    eventType: et.slug,
    start: slotLines.length && range.ok
      ? Temporal.Instant.fromEpochMilliseconds(range.days.find((d) => d.starts.length)!.starts[0])
        .toString()
      : "2026-01-05T09:00:00Z",
    timeZone: tz,
    name: "Guest name",
    email: "guest@example.com",
    note: "",
    ...(et.questions.length
      ? { answers: Object.fromEntries(et.questions.map((qq) => [qq.id, "…"])) }
      : {}),
  };
  const lines = [
    `# ${md(et.title)} with ${md(page.host.name)}`,
    "",
    ...(et.description ? [md(et.description), ""] : []),
    `- Length: ${lengths}`,
    ...(et.location ? [`- Where: ${md(et.location)}`] : []),
    `- ${
      et.requiresConfirmation
        ? `The host confirms each request (a request holds its time for ${
          describeDuration(app.config.bookingTtlMs)
        })`
        : "Bookings are confirmed at once"
    }`,
    `- Times below are in ${tz} (another zone: add \`?tz=America/New_York\` to this address)`,
    `- For people: ${base}/calendar/${u}/${et.slug}`,
    "",
    "## Next free slots",
    "",
    ...(range.ok && range.unavailable
      ? ["Booking is temporarily unavailable: the host's calendar cannot be checked right now.", ""]
      : []),
    ...(slotLines.length ? slotLines : [
      `No free slots in the next ${LOOKAHEAD_DAYS} days; ask the slots endpoint for later dates.`,
    ]),
    ...(moreFrom
      ? [
        "",
        `${more} more free ${more === 1 ? "time" : "times"} from ${civilDateLabel(moreFrom)} to ${
          civilDateLabel(lastDay)
        }, each day whole: ${slotsUrl(moreFrom, lastDay)}`,
      ]
      : []),
    "",
    "Each slot's value in backticks is its `start` for booking. More slots:",
    `GET ${base}/api/v1/users/${u}/event-types/${et.slug}/slots?start=YYYY-MM-DD&end=YYYY-MM-DD&timeZone=${tz}`,
    "",
    ...(et.questions.length
      ? [
        "## Questions the host asks",
        "",
        ...et.questions.map((qq) =>
          `- \`${qq.id}\`: ${md(qq.label)} (${qq.type}${qq.required ? ", required" : ""}${
            qq.options ? `; one of: ${qq.options.map(md).join(" / ")}` : ""
          })`
        ),
        "",
      ]
      : []),
    "## Book through the API",
    "",
    `No key is needed. Send a new \`Idempotency-Key\` of your own (a random UUID) with each booking in place of \`${IDEMPOTENCY_KEY_PLACEHOLDER}\`;`,
    "retrying with the same key and body from the same client returns the first answer instead of",
    "booking twice. A key belongs to the client that sent it; placeholders are refused.",
    "",
    "```http",
    `POST ${base}/api/v1/bookings`,
    "Content-Type: application/json",
    `Idempotency-Key: ${IDEMPOTENCY_KEY_PLACEHOLDER}`,
    "",
    JSON.stringify(example, null, 2),
    "```",
    "",
    "The answer (201) is the booking with its `status` (PENDING until the host confirms, or",
    "CONFIRMED) and the guest's links to view, cancel or reschedule it. Refusals are RFC 9457",
    "problems: `slot-taken`, `slot-unavailable`, `cap-reached`, `calendar-unavailable`, … See",
    `${base}/docs/api and ${base}/api/v1/openapi.json.`,
    "",
  ];
  return lines.join("\n");
}

/** The configuration an MCP client needs for this server (llms.txt and the README show it). */
export function mcpConfigSnippet(base: string): string {
  return JSON.stringify({ mcpServers: { invito: { type: "http", url: `${base}/mcp` } } }, null, 2);
}

export function llmsTxt(app: App): string {
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  return [
    "# Invito",
    "",
    "> A self-hosted scheduling server: hosts publish booking pages, guests book meetings.",
    "> Programs and AI assistants can read free slots and book without a browser.",
    "",
    "Every host's booking page has a markdown version: add `.md` to its address",
    `(${base}/calendar/{username}/{event-type}.md, or the host's list at ${base}/calendar/{username}.md),`,
    "or send `Accept: text/markdown`. It lists the next free slots and how to book.",
    "",
    "## MCP server",
    "",
    `Model Context Protocol clients connect to ${base}/mcp (Streamable HTTP, stateless; no key for`,
    "the public tools). Add it to a client's configuration:",
    "",
    "```json",
    mcpConfigSnippet(base),
    "```",
    "",
    "- Public tools: `list_event_types(username)`, `find_available_times(username, event_type, start, end, time_zone)`, `book(username, event_type, start, time_zone, guest{name,email}, answers?, location?, phone?, additional_guests?, idempotency_key)` (every field of the API's booking request); the booking's status and what happens next come back, the guest's links go by mail only.",
    "- A host's tools need the host's API key in the `Authorization: Bearer inv_…` header; changes need the write scope:",
    "  - bookings: `list_bookings`, `confirm`, `reject`, `cancel`, `reschedule`, `request_reschedule` (a confirmed booking's guest is mailed a link to pick a new time; with `team_id`, a team's owner asks a seat's guest of the team's seated time), `book_for_guest` (a time agreed with a named guest; the guest's links go by mail), `cancel_meeting` (a whole seated meeting: its organiser, or with `team_id` a team's owner);",
    "  - hours: `get_availability`, `set_date_override`;",
    "  - one-off links: `create_one_off_link` (1–10 free times; send the guest its `url`), `list_one_off_links`, `revoke_one_off_link`;",
    "  - meeting polls: `create_poll` (2–20 free times; send the invitees its `url`), `list_polls`, `get_poll` (the answers and counts per time), `pick_poll_time`, `close_poll`;",
    "  - teams: `list_teams`, `list_team_bookings` (by `team_id` from `list_teams`).",
    "- Resources: each public event type at `invito://users/{username}/event-types/{slug}` (description, lengths, locations, questions) with `ask`: what `book` needs from the guest (answers, the choice of place, a phone number, extra guests).",
    "",
    "## Public JSON API (no key)",
    "",
    `- [Event types of a host](${base}/api/v1/users/{username}/event-types): GET, JSON`,
    `- [Free slots](${base}/api/v1/users/{username}/event-types/{slug}/slots?start=YYYY-MM-DD&end=YYYY-MM-DD&timeZone=Area/City): GET; up to 62 days per request; each slot has a UTC \`start\` and the guest's wall time`,
    `- [Book](${base}/api/v1/bookings): POST JSON { username, eventType, start, timeZone, name, email, note?, answers?, durationMin? } with an \`Idempotency-Key\` header; answers 201 with the booking and the guest's manage links`,
    "",
    "## Reference",
    "",
    `- [OpenAPI 3.1 document](${base}/api/v1/openapi.json)`,
    `- [API reference for people](${base}/docs/api)`,
    "",
    "## Notes",
    "",
    "- Times are ISO-8601; send `start` exactly as a slot's `start`.",
    "- Errors are RFC 9457 problem+json with a stable `type` per reason (slot taken, cap reached, calendar unavailable, invalid fields).",
    "- Hosts manage bookings with personal API keys (Authorization: Bearer inv_…); guests never need one.",
    "",
  ].join("\n");
}
