/**
 * Keeps what a person typed, ticked or picked before the page's scripts arrived.
 *
 * Svelte writes each field's `value={…}` / `checked={…}` into the DOM when it hydrates (a field
 * it does not bind is not asked what it holds), so on a slow phone an address typed into a
 * server-rendered form was wiped a moment later; `required` then stopped the submit and the click
 * did nothing. Rather than change every field of every form (and every future one), the root
 * layout notes the fields a person changed before hydration starts and puts their values back
 * once it is done, with the events a person's own typing would have fired, so handlers and
 * bindings see it; the caret or selection of the field they are in stays where they put it.
 * A `<details>` opened or closed early is put back too: Svelte sets each `open={…}` (and
 * `bind:open`) as it hydrates, so a menu a person had opened shut under their next click.
 *
 * ```ts
 * const early = noteEarlyInput(document);   // root layout, before the children hydrate
 * onMount(() => restoreEarlyInput(early)); // after them
 * ```
 */

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
type Held = string | boolean | string[];

export interface EarlyInput {
  readonly fields: ReadonlyArray<readonly [Field, Held]>;
  /**
   * Where the caret or selection of the field being typed in was. Hydration's writes move it
   * to the end (a textarea's server-rendered text is even taken out and written back), so a
   * word selected to be replaced, or a caret moved back to insert, was lost.
   */
  readonly caret: Caret | null;
  /**
   * Every `<details>` with whether it was open. Unlike a field, a `<details>` keeps no record of
   * what the server rendered (its `open` attribute is its state), so each is noted as it is and
   * put back where hydration changed it: nothing else runs between the two.
   */
  readonly disclosures: ReadonlyArray<readonly [HTMLDetailsElement, boolean]>;
}

type TextField = HTMLInputElement | HTMLTextAreaElement;
type Caret = {
  el: TextField;
  value: string;
  start: number;
  end: number;
  direction: "forward" | "backward" | "none";
};

/** The focused text field's selection; null for one without (email, number) or none focused. */
function caretOf(doc: Document): Caret | null {
  const el = doc.activeElement;
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return null;
  try {
    if (el.selectionStart === null || el.selectionEnd === null) return null;
    return {
      el,
      value: el.value,
      start: el.selectionStart,
      end: el.selectionEnd,
      direction: el.selectionDirection ?? "none",
    };
  } catch {
    return null;
  }
}

const UNTOUCHABLE = new Set(["file", "hidden", "submit", "button", "reset", "image"]);

function isToggle(el: Field): el is HTMLInputElement {
  return el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio");
}

function read(el: Field): Held {
  if (el instanceof HTMLSelectElement) {
    return el.multiple ? [...el.selectedOptions].map((o) => o.value) : el.value;
  }
  return isToggle(el) ? el.checked : el.value;
}

/** What the server rendered into the field: the value it would have without a person. */
function rendered(el: Field): Held {
  if (el instanceof HTMLSelectElement) {
    const chosen = [...el.options].filter((o) => o.defaultSelected).map((o) => o.value);
    if (el.multiple) return chosen;
    // Nothing marked: a single select shows its first option that can be chosen.
    return chosen.at(-1) ?? [...el.options].find((o) => !o.disabled)?.value ?? "";
  }
  return isToggle(el) ? el.defaultChecked : el.defaultValue;
}

const same = (a: Held, b: Held) =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((v, i) => v === b[i])
    : a === b;

/** Every field whose value differs from what the server rendered, with that value. */
export function noteEarlyInput(doc: Document): EarlyInput {
  const fields: Array<readonly [Field, Held]> = [];
  for (const el of doc.querySelectorAll<Field>("input, textarea, select")) {
    if (el instanceof HTMLInputElement && UNTOUCHABLE.has(el.type)) continue;
    const now = read(el);
    if (!same(now, rendered(el))) fields.push([el, now]);
  }
  const disclosures = [...doc.querySelectorAll("details")].map((d) => [d, d.open] as const);
  return { fields, caret: caretOf(doc), disclosures };
}

/** Puts the noted values back where hydration replaced them, and tells the page's handlers. */
export function restoreEarlyInput(early: EarlyInput): void {
  for (const [el, held] of early.fields) {
    if (!el.isConnected || same(read(el), held)) continue;
    if (el instanceof HTMLSelectElement && Array.isArray(held)) {
      for (const o of el.options) o.selected = held.includes(o.value);
    } else if (isToggle(el)) el.checked = held as boolean;
    else el.value = held as string;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  // Its `toggle` event tells a `bind:open` what the person chose.
  for (const [el, open] of early.disclosures) {
    if (el.isConnected && el.open !== open) el.open = open;
  }
  const c = early.caret;
  if (!c) return;
  putCaretBack(c);
  // Svelte takes the server's `value` attribute off each field in a microtask queued while it
  // hydrated (keeping the value), and in a field the person had not typed in, that writes the
  // value anew and moves the caret to the end: a selection made to replace a rendered name was
  // lost after being put back here, and the name typed next went in after it. Queued after
  // Svelte's, this runs before any task, so before the person's next key.
  queueMicrotask(() => putCaretBack(c));
}

/**
 * The caret or selection as the person left it. Only where they still are, in the text they had:
 * a field the page changed on purpose keeps what the page did.
 */
function putCaretBack(c: Caret): void {
  if (!c.el.isConnected || c.el.ownerDocument.activeElement !== c.el || c.el.value !== c.value) {
    return;
  }
  const now = caretOf(c.el.ownerDocument);
  if (now && (now.start !== c.start || now.end !== c.end)) {
    c.el.setSelectionRange(c.start, c.end, c.direction);
  }
}
