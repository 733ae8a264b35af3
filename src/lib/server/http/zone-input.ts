/**
 * A time zone typed into a host's form (profile, first-run setup): an IANA id, or anything the
 * zone search understands. One clear match is taken; otherwise the message says what to do.
 */
import { searchTimeZones } from "../domain/time-zone-search.ts";
import type { Translator } from "../../shared/i18n.ts";

export function resolveTypedZone(
  typed: string,
  nowMs: number,
  t: Translator,
): { ok: true; zone: string } | { ok: false; message: string } {
  const found = searchTimeZones(typed, { nowMs, locale: t.locale });
  if (found.kind === "exact") return { ok: true, zone: found.zone };
  if (found.kind === "choose") {
    return {
      ok: false,
      message: t.t("profile.zone_which", {
        query: typed.trim().slice(0, 80),
        options: found.matches.slice(0, 4).map((m) => `${m.zone} (${m.label})`).join(", "),
      }),
    };
  }
  return { ok: false, message: t.t("profile.zone_none", { query: typed.trim().slice(0, 80) }) };
}
