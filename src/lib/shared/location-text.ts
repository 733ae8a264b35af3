/** Where a meeting happens, in the reader's words ("In person: Main St 1", "Videoanruf: https://…"). */
import type { Location } from "./public-types.ts";
import type { Translator } from "./i18n.ts";

export function locationText(loc: Location | undefined, t: Pick<Translator, "t">): string {
  if (!loc || loc.kind === "none" || !loc.value) return "";
  switch (loc.kind) {
    case "in_person":
      return t.t("location.in_person", { value: loc.value });
    case "phone":
      return t.t("location.phone", { value: loc.value });
    case "video":
      return t.t("location.video", { value: loc.value });
    case "custom":
      return loc.value;
  }
}

/** The link of a video location, when it is one (mails and pages make it clickable). */
export function locationUrl(loc: Location | undefined): string | null {
  return loc?.kind === "video" && /^https:\/\/\S+$/i.test(loc.value) ? loc.value : null;
}
