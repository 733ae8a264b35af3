/**
 * A host's switches an export states and an import sets: the sites allowed to frame the widget
 * and what it tells them (the Embed page), and the setup's "I confirm each request".
 */
import type { UserRecord } from "../domain/model/records.ts";

export type HostSwitches = {
  /** null: no list, any site may frame the widget. */
  embedOrigins: string[] | null;
  embedShareGuestData: boolean;
  embedNavigateParent: boolean;
  confirmByDefault: boolean;
};

/** A host's switches as an export states them: every one, an unset one as its default. */
export function hostSwitches(user: UserRecord): HostSwitches {
  return {
    embedOrigins: user.embedOrigins ?? null,
    embedShareGuestData: user.embedShareGuestData ?? false,
    embedNavigateParent: user.embedNavigateParent ?? false,
    confirmByDefault: user.confirmByDefault ?? false,
  };
}

/**
 * The switches an import wants: what the file states — off included — over what the host has
 * here; one the file lacks (an export from before the switch existed) stays as it is. An import
 * only switched them on, so a file saying "off" left an "on" here as it was. A list of sites here
 * is the one exception: a file with none (any site) leaves it, so an import never opens the
 * widget to every site behind the host's back; a file's own list replaces it.
 */
export function switchesWanted(file: Partial<HostSwitches>, here: HostSwitches): HostSwitches {
  const stated = Object.entries(file).filter(([k, value]) => k in here && value !== undefined);
  const wanted: HostSwitches = { ...here, ...Object.fromEntries(stated) };
  if (wanted.embedOrigins === null) wanted.embedOrigins = here.embedOrigins;
  return wanted;
}
