/** The MCP endpoint's resources: a host's event types, by `invito://users/{username}/event-types/{slug}`. */
import { callRoute } from "../api/handler.ts";
import { answered, type McpCaller } from "./tool-kit.ts";
import { eventTypeUri } from "./tool-table.ts";
import { callerTranslator, renamedNote, underCurrentName } from "./tools.ts";

// --- resources ---------------------------------------------------------------------------------

export const EVENT_TYPE_TEMPLATE = "invito://users/{username}/event-types/{slug}";
const EVENT_TYPE_URI = /^invito:\/\/users\/([^/]{1,64})\/event-types\/([^/]{1,64})$/;

/**
 * Resources a caller can list: with a key, the key's host's public event types. There is no
 * directory of every host (usernames are not listed anywhere else either); an agent that knows a
 * username gets its event types' links from `list_event_types`, or reads the template's URI.
 */
export async function resourceList(c: McpCaller) {
  if (!c.auth) return [];
  const out = answered(
    await callRoute(c.app, "listPublicEventTypes", {
      ip: c.ip,
      auth: null,
      params: { username: c.auth.host.username },
    }),
  );
  if (!out.ok) return [];
  const types = out.data.eventTypes as { slug: string; title: string; description: string }[];
  return types.map((et) => ({
    uri: eventTypeUri(c.auth!.host.username, et.slug),
    name: et.slug,
    title: et.title,
    description: et.description || undefined,
    mimeType: "application/json",
  }));
}

/**
 * One public event type (description, lengths, locations, questions), as the API's
 * `getPublicEventType` answers it, plus `ask`: what `book` needs from the guest; null for
 * anything the API would not show (secret, inactive, none). Under a name its host gave up (ADR
 * 011) it is the current name's resource under its current URI, and a second, plain-text entry
 * under the URI asked says the new name, as a tool's first line does.
 */
export async function readEventType(c: McpCaller, uri: string) {
  const m = EVENT_TYPE_URI.exec(uri);
  if (!m) return null;
  let username: string, slug: string;
  try {
    username = decodeURIComponent(m[1]);
    slug = decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  const { out, renamed } = await underCurrentName(c, username, async (current) =>
    answered(
      await callRoute(c.app, "getPublicEventType", {
        ip: c.ip,
        auth: null,
        params: { username: current ?? username, slug },
      }),
    ));
  if (!out.ok) return null;
  const et = out.data.eventType as PublicEventType;
  const found = {
    uri: renamed ? eventTypeUri(renamed.name, slug) : uri,
    mimeType: "application/json",
    text: JSON.stringify({ ...out.data, ask: whatToAsk(et) }),
  };
  if (!renamed) return [found];
  const t = callerTranslator(c, undefined);
  return [found, { uri, mimeType: "text/plain", text: renamedNote(t, renamed) }];
}

type PublicEventType = {
  locations: { kind: string; label: string }[];
  questions: { id: string; label: string; required: boolean }[];
  maxGuests: number;
};

/**
 * What an agent should ask the guest before `book`, spelled as `book`'s arguments: without it an
 * agent that reads only the questions books an event type with two places, or a call to the
 * guest's number, and meets a refusal it could have avoided.
 */
function whatToAsk(et: PublicEventType) {
  return {
    answers: et.questions.map((q) => ({ id: q.id, label: q.label, required: q.required })),
    location: {
      required: et.locations.length > 1,
      choices: et.locations.map((l, index) => ({
        index,
        kind: l.kind,
        label: l.label,
        needsPhone: l.kind === "guest_phone",
      })),
    },
    additional_guests: { max: et.maxGuests },
  };
}
