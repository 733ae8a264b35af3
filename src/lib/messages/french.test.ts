/**
 * French typography and words (ADR 015, amendment 2026-11-27). The convention, applied to every
 * French message: a no-break space (U+00A0) before ":", a narrow no-break space (U+202F) before
 * ";", "!" and "?", and a narrow no-break space inside « guillemets ». So "Heure : 10:30" never
 * breaks its colon onto a line of its own at 360 px, and reads as French does in print.
 * Placeholders, URLs ("https://"), clock times ("14:30", "HH:MM") and an HTTP header the reader
 * copies ("Authorization: Bearer") are code, not French, and keep their own spelling.
 *
 * Words: the host's calendar (the one they connect: CalDAV, Google, Microsoft 365; its entries,
 * invitations, feeds and page) is an "agenda", as Google Agenda, Nextcloud and Thunderbird call
 * it in French; "calendrier" is kept for the month grid a guest picks a day in, and for the
 * calendar as a count of days.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { CATALOGS } from "../server/i18n.ts";

const NBSP = "\u00a0";
const NNBSP = "\u202f";

/**
 * A message's text as a reader sees it, each placeholder standing as "X"; each plural/select
 * option on its own line, so a mark at an option's edge has nothing before it and is reported.
 */
function readerText(els: MessageFormatElement[]): string {
  let out = "";
  for (const el of els) {
    if (el.type === TYPE.literal) out += el.value;
    else if (el.type === TYPE.pound) out += "0";
    else if (el.type === TYPE.tag) out += readerText(el.children);
    else if (el.type === TYPE.plural || el.type === TYPE.select) {
      out += "\n" + Object.values(el.options).map((o) => readerText(o.value)).join("\n") + "\n";
    } else out += "X";
  }
  return out;
}

/** Code inside French prose, spelled as the machine wants it. */
const CODE = /[a-z][a-z0-9+.-]*:\/\/\S*|\b\d{1,2}:\d{2}\b|\bHH:MM\b|Authorization: Bearer/g;

/** Each place a message breaks the convention, shown with a little of its context. */
export function typographyProblems(source: string): string[] {
  const text = readerText(parse(source)).replace(CODE, (m) => "_".repeat(m.length));
  const found: string[] = [];
  const at = (i: number, what: string) =>
    found.push(`${what}: …${text.slice(Math.max(0, i - 12), i + 3).replace(/\n/g, "⏎")}…`);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const before = text[i - 1] ?? "";
    const after = text[i + 1] ?? "";
    if (c === ":" && before !== NBSP) at(i, "U+00A0 before “:”");
    else if (";!?".includes(c) && before !== NNBSP && !(c !== ";" && "!?…".includes(before))) {
      at(i, `U+202F before “${c}”`);
    } else if (c === "«" && after !== NNBSP) at(i, "U+202F after “«”");
    else if (c === "»" && before !== NNBSP) at(i, "U+202F before “»”");
    if ((c === NBSP || c === NNBSP) && /[^\S\n]/.test(text[i - 1] ?? "x")) at(i, "space doubled");
  }
  return found;
}

Deno.test("French: the checker sees the faults a reader would (and not code)", () => {
  assert.equal(typographyProblems("Heure : {time}").length, 1);
  assert.equal(typographyProblems("Heure: {time}").length, 1);
  assert.equal(typographyProblems(`Heure${NBSP}: {time} ; ensuite ?`).length, 2);
  assert.equal(typographyProblems("« Synchroniser »").length, 2);
  assert.equal(typographyProblems(`{n, plural, one {: #} other {x}}`).length, 1);
  assert.deepEqual(
    typographyProblems(
      `Heure${NBSP}: 14:30, format HH:MM, https://a.example/b?c=d${NNBSP}; «${NNBSP}x${NNBSP}»${NNBSP}!`,
    ),
    [],
  );
});

Deno.test("French: no-break space before “:”, narrow no-break space before ; ! ? and inside « »", () => {
  const problems = Object.entries(CATALOGS.fr).flatMap(([key, source]) =>
    typographyProblems(source).map((p) => `${key}: ${p}`)
  );
  assert.deepEqual(problems, []);
});

/**
 * Where "calendrier" is right: the guest's month grid, and the calendar as the count of days. A
 * key is listed here only when its English "calendar" means one of those.
 */
const DATE_GRID_KEYS = new Set([
  "booking.skip_to_calendar",
  "et.layout_month",
  "admin.audit_problem_from",
  "admin.audit_problem_to",
]);

Deno.test("French: the host's calendar is an “agenda” everywhere (“calendrier” is the month grid)", () => {
  const fr = CATALOGS.fr;
  const wrong = Object.entries(fr)
    .filter(([key]) => !DATE_GRID_KEYS.has(key))
    // Apple's app is called "Calendrier" in French: a name, kept.
    .filter(([, text]) => /calendrier/i.test(text.replace(/Calendrier Apple/g, "")))
    .map(([key, text]) => `${key}: ${text}`);
  assert.deepEqual(wrong, []);
  // The page that connects them, as the menu names it and as every message points to it.
  assert.equal(fr["nav.calendars"], "Agendas");
  const pageNames = Object.values(fr).flatMap((t) => [...t.matchAll(/page (\p{L}+)/gu)])
    .map((m) => m[1]).filter((w) => /^(Agendas|Calendriers)$/.test(w));
  assert.deepEqual([...new Set(pageNames)], ["Agendas"]);
  for (const key of DATE_GRID_KEYS) assert.match(fr[key], /calendrier/);
});

async function codeFiles(dir: string, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) await codeFiles(p, out);
    else if (/\.(ts|svelte)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

Deno.test("French: no page puts its own colon after a translated label (“Adresse:”)", async () => {
  // `{t("admin.email")}:` reads "Adresse:" in French; the catalog's "{label}: {value}"
  // ("mail.line_answer") spells the colon in each language.
  const labelThenMark = /\bt\((?:[^()]|\([^()]*\))*\)\}[:;!?]/;
  const found: string[] = [];
  for (const file of await codeFiles(join(import.meta.dirname!, "..", ".."))) {
    (await Deno.readTextFile(file)).split("\n").forEach((line, i) => {
      if (labelThenMark.test(line)) found.push(`${file.split("/src/").pop()}:${i + 1}`);
    });
  }
  assert.deepEqual(found, []);
});
