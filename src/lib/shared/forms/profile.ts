/** The profile (and first-run setup) form. */
import * as v from "valibot";
import { canonicalLocale, languageOf } from "../i18n.ts";
import { m, oneLine } from "./common.ts";

export const ProfileForm = v.object({
  name: oneLine(1, 100),
  username: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim().toLowerCase()),
    v.regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/, m("forms.username")),
  ),
  timeZone: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.minLength(1, m("forms.time_zone")),
  ),
  // Absent (an older form, a script): the saved choice stays.
  clock: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || s === "12h" || s === "24h" || s === "auto", m("forms.clock")),
    v.transform((s) => (s === "" ? undefined : s as "12h" | "24h" | "auto")),
  ),
  // Absent: the saved choice stays. 1 Monday, 6 Saturday, 7 Sunday.
  weekStart: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || s === "1" || s === "6" || s === "7", m("forms.week_start")),
    v.transform((s) => (s === "" ? undefined : Number(s) as 1 | 6 | 7)),
  ),
  // How guests book the host's new event types (BookingModeChoice's "on" / "off"). Absent: the
  // saved choice stays.
  requiresConfirmation: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || s === "on" || s === "off", m("forms.booking_mode")),
    v.transform((s) => (s === "" ? undefined : s === "on")),
  ),
  // Absent: the saved choice stays.
  locale: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.trim()),
    v.check((s) => s === "" || languageOf(s) !== null, m("forms.language")),
    v.transform((s) => (s === "" ? undefined : canonicalLocale(s) ?? undefined)),
  ),
});
