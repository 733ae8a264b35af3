import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { mintOneOffLink, oneOffPicker } from "$lib/server/services/one-off-links.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";
import { ONE_OFF_CREATE_WORDS } from "$lib/shared/host-scheduling-words.ts";

export const load: PageServerLoad = async ({ locals, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  return await oneOffPicker(locals.app, locals.user!, {
    slug: url.searchParams.get("type"),
    locale: locals.locale,
  });
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
    const starts = form.getAll("start").filter((x): x is string => typeof x === "string")
      .slice(0, 50).map((s) => s.slice(0, 40));
    const note = str("note").slice(0, 2000);
    const res = await mintOneOffLink(locals.app, locals.user!, {
      slug: str("type").slice(0, 60),
      starts,
      note,
    });
    if (!res.ok) {
      // The ticked times and the note come back as the host left them (they once came back
      // blank after "pick at most 10 times").
      return fail(res.reason === "not_found" ? 404 : 400, {
        error: locals.t.t(WORDS[res.reason], { max: 10 }),
        url: null,
        values: { note, starts },
      });
    }
    return { error: null, url: res.url };
  },
};
