/**
 * The host's confirm/reject link pages. GET only shows (mail scanners fetch links); POST acts.
 * An unknown token and an expired request get the same answer, so a token cannot be probed.
 */
import { error, fail } from "@sveltejs/kit";
import type { App } from "../app.ts";
import { viewByToken } from "./booking-view.ts";
import { decideByToken } from "./decide-booking.ts";
import { countBookingChange } from "./insights-count.ts";
import { BUSY_STATUS, retryLater } from "../http/busy.ts";

export const GONE = "This request has expired, or the link is not valid. Nothing was changed.";

export async function loadDecision(app: App, token: string, action: "confirm" | "reject") {
  const view = await viewByToken(app, token, action);
  if (!view || view.state === "expired") error(404, GONE);
  return { view, action };
}

export async function submitDecision(
  app: App,
  token: string,
  action: "confirm" | "reject",
  setHeaders: (headers: Record<string, string>) => void,
) {
  const res = await decideByToken(app, token, action);
  if (res.ok) void countBookingChange(app, res.booking);
  if (res.ok) return { done: action === "confirm" ? "confirmed" : "rejected" } as const;
  if (res.reason === "not_found" || res.reason === "expired") error(404, GONE);
  if (res.reason === "busy") {
    retryLater(setHeaders);
    return fail(BUSY_STATUS, { refused: res.reason });
  }
  return fail(409, { refused: res.reason });
}
