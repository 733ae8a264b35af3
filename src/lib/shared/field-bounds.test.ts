import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Holidays from "date-holidays";
import { FIELD_MAX, readFields } from "./field-bounds.ts";
import { newId } from "../server/store/users.ts";

Deno.test("field bounds: each kind holds the longest value it legitimately carries", () => {
  assert.ok(FIELD_MAX.id >= newId(Date.now()).length);
  assert.ok(FIELD_MAX.id >= `msg_${newId(Date.now())}`.length);
  const zones = Intl.supportedValuesOf("timeZone");
  assert.ok(FIELD_MAX.timeZone >= Math.max(...zones.map((z) => z.length)));
  assert.ok(FIELD_MAX.timeZone >= "America/Argentina/ComodRivadavia".length);
  const h = new Holidays();
  for (const c of Object.keys(h.getCountries())) {
    for (const r of Object.keys(h.getStates(c) ?? {})) {
      assert.ok(FIELD_MAX.code >= r.length, `${c}-${r}`);
    }
  }
});

Deno.test("readFields: a 26-character id is read whole; an over-long value stays over-long", () => {
  const form = new FormData();
  const id = newId(Date.now());
  form.set("member", id);
  form.set("weight", "3".repeat(100));
  const out = readFields(form, { member: "id", weight: "number", missing: "id" });
  assert.equal(out.member, id);
  assert.equal(out.weight.length, FIELD_MAX.number + 1, "kept long enough to be refused");
  assert.equal(out.missing, "");
});

Deno.test("field bounds: no route reads a form field with a length of its own", () => {
  const offenders: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (p.endsWith(".ts")) {
        const text = readFileSync(p, "utf8");
        // formValues(form, names, 20) and form.get("x") … .slice(0, 20): a bound of its own.
        if (/formValues\([^)]*,\s*\d+\s*\)/.test(text)) offenders.push(`${p}: formValues(…, N)`);
        if (/(formData\(\)\)|\bform|\bf)\.get\([^)]*\)[^;\n]*\.slice\(0,\s*\d+\)/.test(text)) {
          offenders.push(`${p}: get(…).slice(0, N)`);
        }
      }
    }
  };
  visit(join(import.meta.dirname!, "..", "..", "routes"));
  assert.deepEqual(offenders, []);
});
