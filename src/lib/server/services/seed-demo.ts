/**
 * `npm run demo`: a host "demo" in Europe/Berlin with two event types. Idempotent: a second run
 * finds the user and the slugs and changes nothing.
 */
import type { App } from "../app.ts";
import { getUserByEmail, insertUser } from "../store/users.ts";
import { getEventTypeBySlug, insertEventType } from "../store/event-types.ts";
import { getAvailability, putAvailability } from "../store/availability.ts";
import { keys } from "../store/keys.ts";
import { newId } from "../store/users.ts";
import type { EventTypeRecord } from "../domain/model/records.ts";
import { API_KEY_PREFIX, createApiKey } from "./api-keys.ts";
import { getApiKeyByHash } from "../store/api-keys.ts";
import { hmacToken, sha256Hex } from "../integrations/crypto.ts";

export const DEMO_EMAIL = "demo@invito.example";

export async function seedDemo(app: App): Promise<string[]> {
  const nowMs = app.now();
  let user = await getUserByEmail(app.kv, DEMO_EMAIL);
  if (!user) {
    const res = await insertUser(app.kv, {
      email: DEMO_EMAIL,
      name: "Demo Host",
      wantedUsername: "demo",
      timeZone: "Europe/Berlin",
      emailVerifiedMs: nowMs,
      image: null,
    }, nowMs);
    user = res.ok ? res.user : await getUserByEmail(app.kv, DEMO_EMAIL);
    if (!user) throw new Error("demo user could not be created");
    const avail = await getAvailability(app.kv, user.id, nowMs);
    const workday = [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "17:00" }];
    await putAvailability(app.kv, {
      ...avail,
      weekly: { 1: workday, 2: workday, 3: workday, 4: workday, 5: workday, 6: [], 7: [] },
      updatedAtMs: nowMs,
    });
    await app.kv.set(keys.meta("demo_user"), user.id);
  }
  const types: Omit<EventTypeRecord, "id" | "userId" | "createdAtMs" | "updatedAtMs" | "v">[] = [
    {
      slug: "intro-call",
      title: "Intro call",
      description: "A first 30-minute conversation. I confirm every request personally.",
      durationMin: 30,
      requiresConfirmation: true,
      bookingWindowDays: 60,
      color: "#2549ea",
      active: true,
      confirmedMessage: "Looking forward to talking with you!",
      rejectedMessage: "Sorry, that time does not work for me. Please pick another.",
    },
    {
      slug: "quick-chat",
      title: "Quick chat",
      description: "15 minutes, confirmed at once.",
      durationMin: 15,
      requiresConfirmation: false,
      bookingWindowDays: 60,
      color: "#0d9488",
      active: true,
      confirmedMessage: "See you soon!",
      rejectedMessage: "",
    },
  ];
  for (const t of types) {
    if (await getEventTypeBySlug(app.kv, user.id, t.slug)) continue;
    await insertEventType(app.kv, {
      v: 1,
      id: newId(nowMs),
      userId: user.id,
      ...t,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    });
  }
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  return [
    `${base}/calendar/${user.username}/`,
    ...types.map((t) => `${base}/calendar/${user.username}/${t.slug}`),
  ];
}

/**
 * The demo host's API key (read and write), so a new user can try the API with curl at once.
 * Its secret is derived from the server secret, so every start prints the same key without
 * storing it; if it was revoked, the next start makes it again (demo mode only).
 */
export async function demoApiKey(app: App): Promise<string | null> {
  const user = await getUserByEmail(app.kv, DEMO_EMAIL);
  if (!user) return null;
  const secret = API_KEY_PREFIX + await hmacToken(app.linkKey, "invito demo api key");
  if (await getApiKeyByHash(app.kv, await sha256Hex(secret))) return secret;
  try {
    const res = await createApiKey(app, user, {
      name: "Demo key",
      scopes: ["read", "write"],
      expiresAtMs: null,
    }, secret);
    return res.ok ? secret : null;
  } catch (err) {
    // Several processes starting at once on one store: another one stored this very key.
    if (await getApiKeyByHash(app.kv, await sha256Hex(secret))) return secret;
    console.warn("[demo] no demo API key:", err);
    return null;
  }
}
