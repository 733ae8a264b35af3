/**
 * French typography (ADR 015, amendment 2026-11-27). The convention, applied to every
 * French message: a no-break space (U+00A0) before ":", a narrow no-break space (U+202F) before
 * ";", "!" and "?", and a narrow no-break space inside « guillemets ». So "Heure : 10:30" never
 * breaks its colon onto a line of its own at 360 px, and reads as French does in print.
 * Placeholders, URLs ("https://"), clock times ("14:30", "HH:MM") and an HTTP header the reader
 * copies ("Authorization: Bearer") are code, not French, and keep their own spelling.
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
