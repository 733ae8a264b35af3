import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  mintOneOffLink,
  oneOffPicker,
  pickedLabels,
  PICKER_KEPT_MAX,
} from "$lib/server/services/one-off-links.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";
import { ONE_OFF_CREATE_WORDS } from "$lib/shared/host-scheduling-words.ts";

/** The ticked times a form sends (`start`, repeated), bounded before any service sees them. */
const startsOf = (all: FormDataEntryValue[]) =>
  all.filter((x): x is string => typeof x === "string").slice(0, PICKER_KEPT_MAX)
    .map((s) => s.slice(0, 40));

export const load: PageServerLoad = async ({ locals, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const q = url.searchParams;
  // "Earlier days" / "Later days" send the form as it stands (a GET of its fields): what the
  // host ticked and wrote comes back with the other days.
  const paged = q.has("note");
  const starts = startsOf(q.getAll("start"));
  const picker = await oneOffPicker(locals.app, locals.user!, {
    slug: q.get("type"),
    locale: locals.locale,
    from: q.get("from"),
    ticked: starts,
  });
  return { ...picker, kept: paged ? { note: (q.get("note") ?? "").slice(0, 2000), starts } : null };
};

const WORDS: Record<string, MessageKey> = ONE_OFF_CREATE_WORDS;

export const actions: Actions = {
  create: async ({ locals, request }) => {
    const form = await request.formData();
    const str = (k: string) => {
      const x = form.get(k);
      return typeof x === "string" ? x : "";
    };
    // Bounded before the service sees them: at most a few more than allowed, each short.
    const starts = startsOf(form.getAll("start"));
    const note = str("note").slice(0, 2000);
    const res = await mintOneOffLink(locals.app, locals.user!, {
      slug: str("type").slice(0, 60),
      starts,
      note,
    });
    if (!res.ok) {
      // The ticked times and the note come back as the host left them (they once came back
      // blank after "pick at most 10 times"), those of other days with their words.
      return fail(res.reason === "not_found" ? 404 : 400, {
        error: locals.t.t(WORDS[res.reason], { max: 10 }),
        url: null,
        values: { note, starts },
        labels: pickedLabels(locals.user!, starts, locals.locale),
      });
    }
    return { error: null, url: res.url };
  },
};
