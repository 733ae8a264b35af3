/**
 * The reader's translator for answers server.ts gives before SvelteKit runs: a body over its
 * limit or too slow, an upload that found no turn, a form sent from elsewhere. server.ts loads
 * its modules as they are, beside the build's own copies, so importing the catalogs there
 * loaded all four of them and the message formatter a second time: ~3 MB more at start (issue
 * 26's memory row). The build's init hands over its own translator, as it does the API's
 * handler; before the init has run, the catalogs are imported on first use.
 */
import type { Translator } from "../../shared/i18n.ts";

const EARLY_TRANSLATOR = Symbol.for("invito.earlyTranslator");
type Early = (req: Request) => Translator;
const mounted = () => (globalThis as { [EARLY_TRANSLATOR]?: Early })[EARLY_TRANSLATOR];

/** Called by the app's init (hooks.server.ts) with the build's `earlyTranslator`. */
export function mountEarlyTranslator(early: Early): void {
  (globalThis as { [EARLY_TRANSLATOR]?: Early })[EARLY_TRANSLATOR] = early;
}

/** The request's translator: from `?lang=` and the browser's languages (i18n.ts). */
export async function earlyTranslatorOf(req: Request): Promise<Translator> {
  return (mounted() ?? (await import("../i18n.ts")).earlyTranslator)(req);
}
