import { fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { createPoll, hostPolls } from "$lib/server/services/polls.ts";
import { oneOffPicker, pickedLabels, PICKER_KEPT_MAX } from "$lib/server/services/one-off-links.ts";
import type { MessageKey } from "$lib/shared/i18n.ts";
import { POLL_CREATE_WORDS } from "$lib/shared/host-scheduling-words.ts";

/** The ticked times a form sends (`start`, repeated), bounded before any service sees them. */
const startsOf = (all: FormDataEntryValue[]) =>
  all.filter((x): x is string => typeof x === "string").slice(0, PICKER_KEPT_MAX)
    .map((s) => s.slice(0, 40));

export const load: PageServerLoad = async ({ locals, url, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const q = url.searchParams;
  // "Earlier days" / "Later days" send the form as it stands (a GET of its fields): what the
  // host ticked and wrote comes back with the other days.
  const paged = q.has("title");
  const starts = startsOf(q.getAll("start"));
  const [picker, polls] = await Promise.all([
    oneOffPicker(locals.app, locals.user!, {
      slug: q.get("type"),
      locale: locals.locale,
      from: q.get("from"),
      ticked: starts,
    }),
    hostPolls(locals.app, locals.user!),
  ]);
  return {
    ...picker,
    polls,
    kept: paged
      ? {
        title: (q.get("title") ?? "").slice(0, 200),
        until: (q.get("until") ?? "").slice(0, 10),
        reserve: q.get("reserve") === "on",
        starts,
      }
      : null,
  };
};

const WORDS: Record<string, MessageKey> = POLL_CREATE_WORDS;

export const actions: Actions = {
  create: async ({ locals, request }) => {
    const form = await request.formData();
    const str = (k: string) => {
      const x = form.get(k);
      return typeof x === "string" ? x : "";
    };
    const starts = startsOf(form.getAll("start"));
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
      // came back blank, and eleven ticks had to be found again after "pick at most ten". Times
      // ticked on other days come back with their words.
      return fail(res.reason === "not_found" ? 404 : 400, {
        error: locals.t.t(WORDS[res.reason], { min: 2, max: 20 }),
        url: null,
        values: { title, until, reserve, starts },
        labels: pickedLabels(locals.user!, starts, locals.locale),
      });
    }
    return { error: null, url: res.url, id: res.poll.id };
  },
};
