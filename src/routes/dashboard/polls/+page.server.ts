import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { createPoll, hostPolls } from "$lib/server/services/polls.ts";
import { oneOffPicker } from "$lib/server/services/one-off-links.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";
import { POLL_CREATE_WORDS } from "$lib/shared/host-scheduling-words.ts";

export const load: PageServerLoad = async ({ locals, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const [picker, polls] = await Promise.all([
    oneOffPicker(locals.app, locals.user!, {
      slug: url.searchParams.get("type"),
      locale: locals.locale,
    }),
    hostPolls(locals.app, locals.user!),
  ]);
  return { ...picker, polls };
};

const WORDS: Record<string, MessageKey> = POLL_CREATE_WORDS;

export const actions: Actions = {
  create: async ({ locals, request }) => {
    const form = await request.formData();
    const str = (k: string) => {
      const x = form.get(k);
      return typeof x === "string" ? x : "";
    };
    const starts = form.getAll("start").filter((x): x is string => typeof x === "string")
      .slice(0, 60).map((s) => s.slice(0, 40));
    const title = str("title").slice(0, 200);
    const until = str("until").slice(0, 10);
    const reserve = str("reserve") === "on";
    const res = await createPoll(locals.app, locals.user!, {
      slug: str("type").slice(0, 60),
      title,
      starts,
      reserve,
      until: until || undefined,
    });
    if (!res.ok) {
      // The form comes back as the host left it (ticked times, title, until, reserve): it once
      // came back blank, and eleven ticks had to be found again after "pick at most ten".
      return fail(res.reason === "not_found" ? 404 : 400, {
        error: locals.t.t(WORDS[res.reason], { min: 2, max: 20 }),
        url: null,
        values: { title, until, reserve, starts },
      });
    }
    return { error: null, url: res.url, id: res.poll.id };
  },
};
