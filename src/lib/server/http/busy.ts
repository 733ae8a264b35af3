/**
 * The engine's "busy" answer (its bounded retries ran out under contention) as HTTP: a calm
 * 503 that names when to try again. Pages show their own words; this sets the status header.
 */
import { REFUSALS } from "../../shared/refusals.ts";

export const BUSY_STATUS = 503;

export function retryLater(setHeaders: (headers: Record<string, string>) => void): void {
  setHeaders({ "retry-after": String(REFUSALS.busy.retryAfterS) });
}
