/**
 * The page's translator for components: the root layout provides it, components call
 * `const { t } = useI18n()` and write `{t("booking.pick_time")}`. Reads go through a getter, so
 * a language switch (a client-side navigation) re-renders with the new catalog.
 */
import { getContext, setContext } from "svelte";
import type { MessageKey, MessageValues, RichPart, Translator } from "./i18n.ts";
import { translateRef } from "./i18n.ts";

const KEY = Symbol("i18n");

export function provideI18n(get: () => Translator): void {
  setContext(KEY, get);
}

export type I18n = {
  t(key: MessageKey, values?: MessageValues): string;
  parts(key: MessageKey, values?: MessageValues): RichPart[];
  /** A message reference from the server (`messageRef`), translated; other text as it is. */
  ref(text: string): string;
  readonly locale: string;
  readonly lang: Translator["lang"];
};

export function useI18n(): I18n {
  const get = getContext<() => Translator>(KEY);
  if (!get) throw new Error("useI18n: no translator (the root layout provides one)");
  return {
    t: (key, values) => get().t(key, values),
    parts: (key, values) => get().parts(key, values),
    ref: (text) => translateRef(get(), text),
    get locale() {
      return get().locale;
    },
    get lang() {
      return get().lang;
    },
  };
}
