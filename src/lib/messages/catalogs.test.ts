/**
 * The catalogs are checked here, since no compiler does it: every language has every key and
 * no other, every message parses, the same placeholders (and plural/select/tag structure) in
 * every language, and every key is used somewhere in the code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { CATALOGS } from "../server/i18n.ts";
import { LANGUAGES, RICH_TAGS } from "../shared/i18n.ts";

const en = CATALOGS.en;

/** "name:type" for each argument and tag, with plural/select options, sorted. */
function shape(els: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of els) {
    if (el.type === TYPE.argument) out.add(`${el.value}:text`);
    else if (el.type === TYPE.number) out.add(`${el.value}:number`);
    else if (el.type === TYPE.date || el.type === TYPE.time) out.add(`${el.value}:date`);
    else if (el.type === TYPE.plural) {
      out.add(`${el.value}:plural`);
      for (const o of Object.values(el.options)) shape(o.value, out);
    } else if (el.type === TYPE.select) {
      out.add(`${el.value}:select(${Object.keys(el.options).sort().join(",")})`);
      for (const o of Object.values(el.options)) shape(o.value, out);
    } else if (el.type === TYPE.tag) {
      out.add(`<${el.value}>`);
      shape(el.children, out);
    }
  }
  return out;
}

Deno.test("catalogs: every language has exactly the English keys, none empty", () => {
  for (const lang of LANGUAGES) {
    const cat = CATALOGS[lang];
    const missing = Object.keys(en).filter((k) => !(k in cat));
    const extra = Object.keys(cat).filter((k) => !(k in en));
    assert.deepEqual({ lang, missing, extra }, { lang, missing: [], extra: [] });
    const empty = Object.entries(cat).filter(([, v]) => typeof v !== "string" || !v.trim());
    assert.deepEqual(empty, [], `${lang}: empty messages`);
  }
});

Deno.test("catalogs: every message parses, uses only known tags, and has the English placeholders", () => {
  const problems: string[] = [];
  for (const [key, source] of Object.entries(en)) {
    const want = [...shape(parse(source))].sort();
    for (const tag of want.filter((s) => s.startsWith("<"))) {
      if (!(RICH_TAGS as readonly string[]).includes(tag.slice(1, -1))) {
        problems.push(`en ${key}: unknown tag ${tag}`);
      }
    }
    for (const lang of LANGUAGES) {
      const text = CATALOGS[lang][key];
      if (text === undefined) continue;
      let got: string[];
      try {
        got = [...shape(parse(text))].sort();
      } catch (e) {
        problems.push(`${lang} ${key}: does not parse (${(e as Error).message})`);
        continue;
      }
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        problems.push(`${lang} ${key}: ${got.join(" ")} ≠ en ${want.join(" ")}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

async function sourceFiles(dir: string, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) await sourceFiles(p, out);
    else if (/\.(ts|svelte)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

Deno.test("catalogs: every key is used by the code (written out in full, so this test can see it)", async () => {
  const src = join(import.meta.dirname!, "..", "..");
  let code = "";
  for (const f of await sourceFiles(src)) code += await Deno.readTextFile(f);
  const unused = Object.keys(en).filter((k) =>
    !code.includes(`"${k}"`) && !code.includes(`'${k}'`)
  );
  assert.deepEqual(unused, []);
});

Deno.test("catalogs: German speaks to the reader as “Sie”, never “du”", () => {
  const du = /\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b/i;
  const found = Object.entries(CATALOGS.de).filter(([, m]) => du.test(m)).map(([k]) => k);
  assert.deepEqual(found, []);
});

Deno.test("catalogs: an event type has one name per language, the one its page is called (Terminart, type de rendez-vous, tipo de cita)", () => {
  // Round three's pages said "Termintyp", "type d’événement", "tipo de evento" or "tipo de
  // reunión" beside the navigation's name, and German's "der Termintyp" took other articles.
  const others = {
    de: /Termintyp|Ereignistyp|Veranstaltungstyp/,
    fr: /types? d’événements?/,
    es: /tipos? de (evento|reunión)/,
  } as const;
  for (const [lang, other] of Object.entries(others)) {
    const catalog = CATALOGS[lang as keyof typeof others];
    const found = Object.entries(catalog).filter(([, m]) => other.test(m)).map(([k]) => k);
    assert.deepEqual(found, [], lang);
  }
  assert.equal(CATALOGS.de["nav.event_types"], "Terminarten");
  assert.equal(CATALOGS.fr["nav.event_types"], "Types de rendez-vous");
  assert.equal(CATALOGS.es["nav.event_types"], "Tipos de cita");
});

Deno.test("catalogs: Spanish speaks to the reader as “tú”, never “usted” (imperatives included)", () => {
  // "Introduzca", "Elija", "Inténtelo"… opening a sentence: the usted imperatives that crept into
  // newer pages ("que elija" about the guest is a subjunctive, and right).
  const usted =
    /\bustedes?\b|(^|[.:;!?¿¡(]\s*)(introduzca|elija|seleccione|escriba|indique|haga|pulse|compruebe|vuelva|inténtelo|revise|envíe|rellene|vacíe|añada|quite|pruebe|use|abra|cierre)\b/i;
  const found = Object.entries(CATALOGS.es).filter(([, m]) => usted.test(m)).map(([k]) => k);
  assert.deepEqual(found, []);
});
