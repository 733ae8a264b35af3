/**
 * Time zone names as calendar data spells them, turned into IANA zones: Microsoft's Windows
 * names (Outlook, Exchange, Teams, Microsoft Graph), Mozilla's "/mozilla.org/…/Europe/Berlin"
 * prefixes and quoted TZIDs. Windows names map through CLDR's windowsZones.xml as the
 * `windows-iana` package ships it (territory "001", the zone CLDR calls the golden one), so new
 * Windows zones arrive with a dependency update instead of an edit to a hand-kept table.
 */
import { WINDOWS_TO_IANA_MAP } from "windows-iana";
import { canonicalTimeZone } from "../domain/time-zone.ts";

/** Lower-cased Windows name → IANA zone (CLDR's "001" territory entry). */
const WINDOWS = new Map<string, string>();
for (const row of WINDOWS_TO_IANA_MAP) {
  if (row.territory === "001" && row.iana.length > 0) {
    WINDOWS.set(row.windowsName.toLowerCase(), row.iana[0]);
  }
}

/** The IANA zone a calendar time zone name means, or null when it names none we know. */
export function ianaZoneFor(tzid: string): string | null {
  const name = tzid.trim().replace(/^"(.*)"$/, "$1").trim();
  if (!name) return null;
  // "Coordinated Universal Time" is how some Exchange versions write UTC (not in CLDR).
  if (/^(z|utc|gmt|etc\/utc|etc\/gmt|coordinated universal time)$/i.test(name)) return "UTC";
  const direct = canonicalTimeZone(name);
  if (direct) return direct;
  const windows = WINDOWS.get(name.toLowerCase());
  if (windows) return canonicalTimeZone(windows);
  // "/mozilla.org/20050126_1/Europe/Berlin", "/softwarestudio.org/Olson_20011030_5/America/New_York"
  const tail = /([A-Za-z]+\/[A-Za-z0-9_+\-]+(?:\/[A-Za-z0-9_+\-]+)?)$/.exec(name);
  if (tail) {
    const parts = tail[1].split("/");
    for (let i = 0; i < parts.length - 1; i++) {
      const zone = canonicalTimeZone(parts.slice(i).join("/"));
      if (zone) return zone;
    }
  }
  return null;
}
