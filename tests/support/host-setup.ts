/**
 * A signed-in host finishes the first-run setup form over HTTP, as a person sends it: open every
 * day around the clock, one 30-minute event type called "Call".
 */
import assert from "node:assert/strict";
import type { Client } from "./http.ts";

export async function finishSetupAllDay(
  host: Client,
  who: { name: string; username: string; timeZone: string; requiresConfirmation?: boolean },
): Promise<void> {
  const setup = await host.post("/dashboard/setup?/save", {
    name: who.name,
    username: who.username,
    timeZone: who.timeZone,
    days: ["1", "2", "3", "4", "5", "6", "7"],
    start: "00:00",
    end: "24:00",
    eventTitle: "Call",
    durationMin: "30",
    ...(who.requiresConfirmation ? { requiresConfirmation: "on" } : {}),
  });
  assert.equal(setup.status, 303, setup.body.slice(0, 500));
}
