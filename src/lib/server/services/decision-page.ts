/**
 * The host's confirm/reject link pages. GET only shows (mail scanners fetch links); POST acts.
 * An unknown token and an expired request get the same answer, so a token cannot be probed.
 */
import { error, fail } from "@sveltejs/kit";
import type { App } from "../app.ts";
import { viewOfLinked } from "./booking-view.ts";
import { bookingForToken, decisionPath } from "./booking-links.ts";
import { decideByToken } from "./decide-booking.ts";
import { BUSY_STATUS, retryLater } from "../http/busy.ts";
import type { Translator } from "../../shared/i18n.ts";
import { isMultiLineText } from "../../shared/text.ts";

export async function loadDecision(
  app: App,
  token: string,
  action: "confirm" | "reject",
  t: Translator,
) {
  const linked = await bookingForToken(app, token, action);
  const view = linked && await viewOfLinked(app, linked, action, t.locale);
  if (!linked || !view || view.state === "expired") error(404, t.t("decision.gone"));
  // While the request waits, each page also offers the other answer (a host who opened
  // "confirm" and changed their mind). Its link carries that purpose's own token, derived here
  // for the booking this token proved, never one taken from the request (ADR 054).
  const other = view.state === "pending"
    ? await decisionPath(app, linked, action === "confirm" ? "reject" : "confirm")
    : null;
  return { view, action, other };
}

/** The host decides; a rejection may carry a personal message for the guest (`reason`). */
export async function submitDecision(
  app: App,
  token: string,
  action: "confirm" | "reject",
  t: Translator,
  setHeaders: (headers: Record<string, string>) => void,
  reason?: string,
) {
  if (reason && reason.length > 500) return fail(400, { refused: null, tooLong: true, reason });
  if (reason && !isMultiLineText(reason)) {
    return fail(400, { refused: null, badCharacters: true, reason });
  }
  const res = await decideByToken(app, token, action, { reason });
  if (res.ok) return { done: action === "confirm" ? "confirmed" : "rejected" } as const;
  if (res.reason === "not_found" || res.reason === "expired") error(404, t.t("decision.gone"));
  if (res.reason === "busy") {
    retryLater(setHeaders);
    return fail(BUSY_STATUS, { refused: res.reason });
  }
  return fail(409, { refused: res.reason });
}
