/**
 * A one-off link given back (ADR 044, amendment "a request turned down gives the link back").
 * A one-off link is spent by the first booking made through it (ADR 024: its "used" marker,
 * checked absent in the booking's own write). When that booking ends without having happened
 * because its host let it go — the host rejected the request, or it expired unanswered — the
 * link is given back for its other offered times in the same write that ends the request: the
 * marker deleted and the ended request's time taken off the link, each checked at the
 * versionstamp this change read. A guest's own cancel, a host's cancel and a meeting that took
 * place spend the link for good.
 *
 * Giving back never reopens a link booked again meanwhile: the marker is only deleted as it was
 * read, naming this booking (or this booking's move of it), and nobody books through a link while
 * its marker is there. Two checks and two mutations more, on a write that checks only its booking.
 */
import type {
  BookingRecord,
  SingleUseLinkRecord,
  SingleUseLinkUseRecord,
} from "../model/records.ts";
import type { Entry } from "../model/entries.ts";
import type { BookingAction } from "../booking.ts";
import type { Draft } from "./draft.ts";
import { guardOf } from "./core.ts";
import type { Snapshot } from "./types.ts";

/** The link and its marker, for a change that may give the link back (read as scope guards). */
export function linkReleaseEntries(
  b: Pick<BookingRecord, "hostId" | "singleUseLinkId" | "series" | "teamId">,
  action: BookingAction,
): Entry[] {
  if (action !== "reject" && action !== "expire") return [];
  // A series is decided whole, one date after another (its link stays spent); a team's event
  // types have no one-off links.
  if (!b.singleUseLinkId || b.series || b.teamId) return [];
  return [
    { kind: "singleUseLink", hostId: b.hostId, id: b.singleUseLinkId },
    { kind: "singleUseLinkUse", linkId: b.singleUseLinkId },
  ];
}

/** Whether a booking ending as `next` lets its one-off link go: rejected, or expired unanswered. */
export const endsUnmet = (next: Pick<BookingRecord, "status" | "endReason">) =>
  next.status === "REJECTED" || (next.status === "CANCELLED" && next.endReason === "expired");

/**
 * Gives the link of `before` back in the write that ends it as `next` (see the module's words);
 * nothing when the link is not a one-off link, is gone from the host's list, was spent by
 * another booking, or has no other offered time still ahead.
 */
export function releaseLink(
  d: Draft,
  s: Snapshot,
  before: BookingRecord,
  next: BookingRecord,
  nowMs: number,
): void {
  if (!endsUnmet(next)) return;
  const entries = linkReleaseEntries(before, next.status === "REJECTED" ? "reject" : "expire");
  if (entries.length === 0) return;
  const link = guardOf<SingleUseLinkRecord>(s, entries[0]);
  const use = guardOf<SingleUseLinkUseRecord>(s, entries[1]);
  const offered = link.value?.offeredStarts;
  const marker = use.value;
  if (!offered || marker?.kind !== "used") return;
  // The booking that spent it, or its guest's move of that booking (made after the link was
  // spent: a booking of an earlier round of a given-back link was made before).
  const spentByThis = marker.bookingId === before.id ||
    (!!before.rescheduledFromId && before.createdAtMs >= marker.atMs);
  if (!spentByThis) return;
  // The host turned that time down (or let it lapse): the link offers the others.
  const left = offered.filter((ms) => ms !== before.startMs);
  if (!left.some((ms) => ms > nowMs)) return;
  d.check(link);
  d.check(use);
  d.delete(use.key);
  d.set(
    link.key,
    {
      ...link.value!,
      offeredStarts: left,
      expiresAtMs: Math.max(...left),
    } satisfies SingleUseLinkRecord,
  );
}
