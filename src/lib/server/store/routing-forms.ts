/**
 * Routing forms, their responses and their funnel counters (issue 30). Slugs are unique per
 * owner by a checked index; a response and its indexes land in one write; a booking links to a
 * response at most once; counters are `sum`s, which never conflict.
 */
import { type BookingId, keys, type UserId } from "./keys.ts";
import { enqueue } from "./outbox.ts";
import { commitOnce, commitOrReread, commitWithReceipt } from "./kv.ts";
import { isMailAddress } from "../../shared/forms/common.ts";
import type {
  OutboxRecord,
  RoutedFrom,
  RoutingFormRecord,
  RoutingResponseRecord,
  RoutingResponseRefRecord,
  RoutingStage,
} from "../domain/model/records.ts";

export async function getRoutingForm(
  kv: Deno.Kv,
  ownerId: UserId,
  formId: string,
): Promise<Deno.KvEntryMaybe<RoutingFormRecord>> {
  return await kv.get<RoutingFormRecord>(keys.routingForm(ownerId, formId));
}

export async function getRoutingFormBySlug(
  kv: Deno.Kv,
  ownerId: UserId,
  slug: string,
): Promise<RoutingFormRecord | null> {
  const idx = await kv.get<{ v: 1; formId: string }>(keys.routingFormBySlug(ownerId, slug));
  if (!idx.value) return null;
  const rec = (await getRoutingForm(kv, ownerId, idx.value.formId)).value;
  return rec && rec.slug === slug ? rec : null;
}

export async function listRoutingForms(kv: Deno.Kv, ownerId: UserId): Promise<RoutingFormRecord[]> {
  const out: RoutingFormRecord[] = [];
  for await (const e of kv.list<RoutingFormRecord>({ prefix: keys.routingFormPrefix(ownerId) })) {
    out.push(e.value);
  }
  return out;
}

/** False when the slug is taken (or the id exists). */
export async function insertRoutingForm(kv: Deno.Kv, rec: RoutingFormRecord): Promise<boolean> {
  // A fresh id: the form exists exactly when this write landed, answer lost or not (ADR 038).
  const res = await commitOrReread(
    kv.atomic()
      .check({ key: keys.routingForm(rec.ownerId, rec.id), versionstamp: null })
      .check({ key: keys.routingFormBySlug(rec.ownerId, rec.slug), versionstamp: null })
      .set(keys.routingForm(rec.ownerId, rec.id), rec)
      .set(keys.routingFormBySlug(rec.ownerId, rec.slug), { v: 1, formId: rec.id }),
    async () => (await kv.get(keys.routingForm(rec.ownerId, rec.id))).versionstamp !== null,
  );
  return res.ok;
}

/**
 * Replaces a form read at `prev`: "conflict" when it changed meanwhile, "slug_taken" when its new
 * slug belongs to another form.
 */
export async function updateRoutingForm(
  kv: Deno.Kv,
  prev: Deno.KvEntry<RoutingFormRecord>,
  next: RoutingFormRecord,
): Promise<"ok" | "conflict" | "slug_taken"> {
  const op = kv.atomic().check(prev).set(prev.key, next);
  if (next.slug !== prev.value.slug) {
    op.check({ key: keys.routingFormBySlug(next.ownerId, next.slug), versionstamp: null })
      .delete(keys.routingFormBySlug(prev.value.ownerId, prev.value.slug))
      .set(keys.routingFormBySlug(next.ownerId, next.slug), { v: 1, formId: next.id });
  }
  if ((await commitWithReceipt(kv, op)).ok) return "ok";
  const now = await kv.get(prev.key);
  return now.versionstamp !== prev.versionstamp ? "conflict" : "slug_taken";
}

/** Deletes a form, its slug, its responses and their indexes (in writes well inside KV's limits). */
export async function removeRoutingForm(kv: Deno.Kv, rec: RoutingFormRecord): Promise<void> {
  await kv.atomic()
    .delete(keys.routingForm(rec.ownerId, rec.id))
    .delete(keys.routingFormBySlug(rec.ownerId, rec.slug))
    .commit();
  let batch: Deno.KvKey[] = [];
  const flush = async () => {
    const op = kv.atomic();
    for (const k of batch) op.delete(k);
    await op.commit();
    batch = [];
  };
  for await (
    const e of kv.list<RoutingResponseRecord>({ prefix: keys.routingResponsePrefix(rec.id) })
  ) {
    batch.push(e.key);
    if (e.value.bookingId) batch.push(keys.routingResponseByBooking(e.value.bookingId));
    for (const email of indexedEmails(e.value)) {
      batch.push(keys.routingResponseByEmail(rec.ownerId, email, e.value.id));
    }
    if (batch.length >= 300) await flush();
  }
  for await (const e of kv.list({ prefix: keys.routingCountPrefix(rec.id) })) {
    batch.push(e.key);
    if (batch.length >= 300) await flush();
  }
  if (batch.length) await flush();
}

/**
 * The guest's email among a response's answers (the `email` key, else the first answer that is
 * an address by the forms' one rule), under which erasing finds the response.
 */
export function responseEmail(r: Pick<RoutingResponseRecord, "answers">): string | null {
  for (const a of [r.answers["email"], ...Object.values(r.answers)]) {
    if (typeof a === "string" && isMailAddress(a)) return a.toLowerCase();
  }
  return null;
}

/**
 * Every key a response's email pointer may have been written under: by `responseEmail`, or by the
 * looser checks before it (any answer holding an `@`), so that deleting a form leaves no pointer
 * naming a guest whose response was stored before the rule changed. Deleting a key never written
 * costs nothing.
 */
function indexedEmails(r: Pick<RoutingResponseRecord, "answers">): Set<string> {
  const out = new Set<string>();
  for (const a of Object.values(r.answers)) {
    if (typeof a === "string" && a.includes("@")) out.add(a.toLowerCase().slice(0, 320));
  }
  return out;
}

/** Stores a response with its email index, counted as routed, with the jobs it queues (one write). */
export async function insertRoutingResponse(
  kv: Deno.Kv,
  rec: RoutingResponseRecord,
  jobs: OutboxRecord[] = [],
): Promise<void> {
  const ref: RoutingResponseRefRecord = {
    v: 1,
    ownerId: rec.ownerId,
    formId: rec.formId,
    responseId: rec.id,
  };
  const op = kv.atomic()
    .check({ key: keys.routingResponse(rec.formId, rec.id), versionstamp: null })
    .set(keys.routingResponse(rec.formId, rec.id), rec)
    .sum(keys.routingCount(rec.formId, rec.routeId, "routed"), 1n);
  for (const job of jobs) enqueue(op, job);
  const email = responseEmail(rec);
  if (email) op.set(keys.routingResponseByEmail(rec.ownerId, email.slice(0, 320), rec.id), ref);
  // The id is new, so the record tells whether this write landed: a resend after a lost answer
  // fails its check against our own response (it said "collided", and the visitor got a 500).
  const res = await commitOrReread(
    op,
    async () => (await kv.get(keys.routingResponse(rec.formId, rec.id))).versionstamp !== null,
  );
  if (!res.ok) throw new Error("routing response id collided");
}

/** Counts one event of a form's funnel (a view or a submission: route "*"). */
export async function countRoutingStage(
  kv: Deno.Kv,
  formId: string,
  routeId: string,
  stage: RoutingStage,
): Promise<void> {
  // A sum has nothing to check: a receipt keeps a resent write from adding twice.
  await commitOnce(kv, kv.atomic().sum(keys.routingCount(formId, routeId, stage), 1n));
}

/** Every counter of a form: `counts[routeId][stage]`. */
export async function readRoutingCounts(
  kv: Deno.Kv,
  formId: string,
): Promise<Record<string, Partial<Record<RoutingStage, number>>>> {
  const out: Record<string, Partial<Record<RoutingStage, number>>> = {};
  for await (const e of kv.list<Deno.KvU64>({ prefix: keys.routingCountPrefix(formId) })) {
    const [, , routeId, stage] = e.key as [string, string, string, RoutingStage];
    (out[routeId] ??= {})[stage] = Number(e.value.value);
  }
  return out;
}

export async function getRoutingResponse(
  kv: Deno.Kv,
  formId: string,
  responseId: string,
): Promise<Deno.KvEntryMaybe<RoutingResponseRecord>> {
  return await kv.get<RoutingResponseRecord>(keys.routingResponse(formId, responseId));
}

/**
 * A form's responses, newest first, one list call per page of `pageSize`, from just before
 * `beforeId` (exclusive; none: the newest). A form may hold any number: callers stop when they
 * have what they need, so a read never loads more than one page at a time.
 */
export async function* routingResponsePages(
  kv: Deno.Kv,
  formId: string,
  opts: { beforeId?: string; pageSize?: number } = {},
): AsyncGenerator<RoutingResponseRecord[]> {
  const pageSize = opts.pageSize ?? 500;
  let before = opts.beforeId;
  while (true) {
    const page: RoutingResponseRecord[] = [];
    const selector = before
      ? { prefix: keys.routingResponsePrefix(formId), end: keys.routingResponse(formId, before) }
      : { prefix: keys.routingResponsePrefix(formId) };
    for await (
      const e of kv.list<RoutingResponseRecord>(selector, { reverse: true, limit: pageSize })
    ) page.push(e.value);
    if (page.length) yield page;
    if (page.length < pageSize) return;
    before = page[page.length - 1].id;
  }
}

/**
 * Links a booking to the response the visitor came from, once: false when the response is
 * already linked, changed meanwhile, or the booking already follows another response.
 */
export async function linkRoutingBooking(
  kv: Deno.Kv,
  entry: Deno.KvEntry<RoutingResponseRecord>,
  bookingId: BookingId,
): Promise<boolean> {
  if (entry.value.bookingId || entry.value.erasedAtMs) return false;
  const ref: RoutingResponseRefRecord = {
    v: 1,
    ownerId: entry.value.ownerId,
    formId: entry.value.formId,
    responseId: entry.value.id,
  };
  const res = await kv.atomic()
    .check(entry)
    .check({ key: keys.routingResponseByBooking(bookingId), versionstamp: null })
    .set(entry.key, { ...entry.value, bookingId } satisfies RoutingResponseRecord)
    .set(keys.routingResponseByBooking(bookingId), ref)
    .sum(keys.routingCount(entry.value.formId, entry.value.routeId, "booked"), 1n)
    .commit();
  return res.ok;
}

/**
 * Links a booking to the response its guest came from, once (`linkRoutingBooking`), reading the
 * response first and again after a concurrent change: the response when this booking is now
 * its booking; null when it already follows another booking, was erased, or is gone.
 */
export async function linkBookingToResponse(
  kv: Deno.Kv,
  ref: { formId: string; responseId: string },
  bookingId: BookingId,
): Promise<RoutingResponseRecord | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getRoutingResponse(kv, ref.formId, ref.responseId);
    if (!entry.value || entry.value.bookingId || entry.value.erasedAtMs) return null;
    if (await linkRoutingBooking(kv, entry as Deno.KvEntry<RoutingResponseRecord>, bookingId)) {
      return entry.value;
    }
  }
  return null;
}

/** The response a booking followed, if any. */
export async function getRoutingResponseOfBooking(
  kv: Deno.Kv,
  bookingId: BookingId,
): Promise<RoutingResponseRecord | null> {
  const ref = await kv.get<RoutingResponseRefRecord>(keys.routingResponseByBooking(bookingId));
  if (!ref.value) return null;
  return (await getRoutingResponse(kv, ref.value.formId, ref.value.responseId)).value;
}

/**
 * Erases the answers of every response of this guest (by email) to the owner's forms, and of the
 * response each of `booked` followed when it is to the owner's forms (ADR 022): the record
 * stays for the counts, its answers go. Returns how many responses were erased. A booking's
 * response is found by its link, or by the booking's own `routing`: the link is written after
 * the booking, so a process that died in between left none.
 */
export async function eraseRoutingResponses(
  kv: Deno.Kv,
  ownerId: UserId,
  email: string,
  booked: { id: BookingId; routing?: RoutedFrom }[],
  nowMs: number,
): Promise<number> {
  const refs: { key: Deno.KvKey | null; ref: RoutingResponseRefRecord }[] = [];
  for await (
    const e of kv.list<RoutingResponseRefRecord>({
      prefix: keys.routingResponseByEmailPrefix(ownerId, email.toLowerCase()),
    })
  ) refs.push({ key: e.key, ref: e.value });
  for (const { id, routing } of booked) {
    const r = await kv.get<RoutingResponseRefRecord>(keys.routingResponseByBooking(id));
    if (r.value?.ownerId === ownerId) refs.push({ key: null, ref: r.value });
    else if (
      !r.value && routing && (await kv.get(keys.routingForm(ownerId, routing.formId))).value
    ) {
      refs.push({ key: null, ref: { v: 1, ownerId, ...routing } });
    }
  }
  let n = 0;
  for (const { key, ref } of refs) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await getRoutingResponse(kv, ref.formId, ref.responseId);
      const op = kv.atomic();
      if (key) op.delete(key);
      if (!cur.value || cur.value.erasedAtMs) {
        await op.commit();
        break;
      }
      const ok = await op.check(cur).set(
        cur.key,
        {
          ...cur.value,
          answers: {},
          erasedAtMs: nowMs,
        } satisfies RoutingResponseRecord,
      ).commit();
      if (ok.ok) {
        n++;
        break;
      }
    }
  }
  return n;
}
