/**
 * What the import takes from a checked export file (services/import-file.ts), reduced in the
 * reading Worker to exactly what the request thread needs (issue 22): event types already run
 * through the editor's own checks (only their checked input, or why not), routing forms through
 * their own schema and `checkForm`, polls and one-off links as counts. Fields an export part does
 * not have are dropped here, so nothing unknown — and nothing larger than the checks allow —
 * is posted to the thread that answers requests. Pure: no app, no store.
 */
import * as v from "valibot";
import { eventTypeValuesOf, parseEventTypeValues } from "../../shared/forms/event-type-editor.ts";
import type { EventTypeInput } from "../../shared/forms/event-types.ts";
import {
  checkForm,
  CONDITION_OPS,
  ROUTING_LIMITS,
  ROUTING_QUESTION_TYPES,
  type RoutingFormDefinition,
} from "../domain/routing.ts";
import { FIELD_MAX } from "../../shared/field-bounds.ts";
import {
  type BookingPageSettings,
  BookingPageSettingsForm,
} from "../../shared/booking-page-settings-form.ts";

/** An event type of the file: its checked input, or the first problem (a field and a message). */
export type ImportedEventType = {
  /** Its id in the file (bookings and routing forms name it), when it has one. */
  id: string | null;
  slug: string;
  input: EventTypeInput | null;
  /** Why not: a field and a message reference; "unreadable" when the record could not be read. */
  problem?: { field: string; ref: string } | "invalid" | "unreadable";
  /**
   * Its booking page settings (layout, locked prefill, thank-you page), read by their own page's
   * form, when the record has any; the address is checked against the host's sites when saved.
   */
  page?: { ok: true; settings: BookingPageSettings } | { ok: false; ref: string };
};

/** A routing form of the file, checked as the form editor checks it (but its destinations). */
export type ImportedForm =
  | {
    ok: true;
    slug: string;
    title: string;
    description: string;
    active: boolean;
    definition: RoutingFormDefinition;
  }
  | { ok: false; slug: string };

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const line = text(FIELD_MAX.line);

const Destination = v.variant("kind", [
  v.object({
    kind: v.literal("event_type"),
    ownerId: text(FIELD_MAX.id),
    eventTypeId: text(FIELD_MAX.id),
    team: v.optional(v.boolean()),
    memberId: v.optional(text(FIELD_MAX.id)),
  }),
  v.object({ kind: v.literal("url"), url: text(2000), appendAnswers: v.boolean() }),
  v.object({ kind: v.literal("message"), text: text(ROUTING_LIMITS.formChars) }),
]);

/** A form's definition, each list at the editor's bound (`checkForm` then decides the rest). */
const Definition = v.object({
  questions: v.pipe(
    v.array(v.object({
      key: text(ROUTING_LIMITS.keyLength),
      type: v.picklist(ROUTING_QUESTION_TYPES),
      label: line,
      required: v.boolean(),
      options: v.optional(v.pipe(v.array(line), v.maxLength(ROUTING_LIMITS.options))),
    })),
    v.maxLength(ROUTING_LIMITS.questions),
  ),
  routes: v.pipe(
    v.array(v.object({
      id: text(FIELD_MAX.id),
      match: v.picklist(["all", "any"]),
      conditions: v.pipe(
        v.array(v.object({
          key: text(ROUTING_LIMITS.keyLength),
          op: v.picklist(CONDITION_OPS),
          values: v.pipe(v.array(line), v.maxLength(ROUTING_LIMITS.options)),
        })),
        v.maxLength(ROUTING_LIMITS.conditions),
      ),
      destination: Destination,
    })),
    v.maxLength(ROUTING_LIMITS.routes),
  ),
  fallback: Destination,
});

const RoutingForm = v.object({
  slug: text(60),
  title: line,
  description: v.optional(text(2000), ""),
  active: v.optional(v.boolean(), true),
  definition: Definition,
});

const slugOf = (rec: Record<string, unknown>, i: number) =>
  typeof rec.slug === "string" ? rec.slug.slice(0, 60) : `#${i + 1}`;

/** The settings of an event type's "Booking page and after booking" page, as the record holds them. */
const PAGE_FIELDS = ["layout", "lockPrefill", "thankYouUrl", "thankYouParams"] as const;

/** A record's booking page settings through that page's form, or null when it has none. */
function pageSettingsOf(rec: Record<string, unknown>): ImportedEventType["page"] | null {
  if (PAGE_FIELDS.every((f) => rec[f] === undefined || rec[f] === null)) return null;
  const tick = (x: unknown) => (x === true ? "on" : "");
  const parsed = v.safeParse(BookingPageSettingsForm, {
    layout: rec.layout ?? undefined,
    lockPrefill: tick(rec.lockPrefill),
    thankYouUrl: typeof rec.thankYouUrl === "string" ? rec.thankYouUrl : "",
    thankYouParams: tick(rec.thankYouParams),
  }, { abortEarly: true });
  return parsed.success
    ? { ok: true, settings: parsed.output }
    : { ok: false, ref: parsed.issues[0].message };
}

/** An event type record of the file → its checked input, through the editor's own parse. */
export function importedEventType(rec: Record<string, unknown>, i: number): ImportedEventType {
  const id = typeof rec.id === "string" ? rec.id.slice(0, FIELD_MAX.id) : null;
  const slug = slugOf(rec, i);
  try {
    const checked = parseEventTypeValues(
      eventTypeValuesOf(rec as unknown as Parameters<typeof eventTypeValuesOf>[0]),
    );
    const page = pageSettingsOf(rec);
    if (checked.ok) return { id, slug, input: checked.input, ...(page ? { page } : {}) };
    const first = Object.entries(checked.errors)[0];
    return {
      id,
      slug,
      input: null,
      problem: first ? { field: first[0], ref: first[1] } : "invalid",
    };
  } catch {
    return { id, slug, input: null, problem: "unreadable" };
  }
}

/** A routing form record of the file → the form, or that it cannot be taken over. */
export function importedForm(rec: Record<string, unknown>, i: number): ImportedForm {
  const parsed = v.safeParse(RoutingForm, rec, { abortEarly: true });
  if (!parsed.success) return { ok: false, slug: slugOf(rec, i) };
  const f = parsed.output;
  // Whether its event types exist here is decided when it is saved (they are re-pointed first).
  if (checkForm(f.definition as RoutingFormDefinition).length) return { ok: false, slug: f.slug };
  return { ok: true, ...f, definition: f.definition as RoutingFormDefinition };
}
