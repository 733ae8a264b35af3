import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ACCENT_RULES,
  type AccentPalette,
  accentPalette,
  accentStyle,
  contrastRatio,
  type Ground,
  parseAccent,
  relativeLuminance,
  STEPS,
  textOn,
  type Theme,
} from "./accent.ts";

const hex = fc.integer({ min: 0, max: 0xffffff }).map((n) => "#" + n.toString(16).padStart(6, "0"));

/** A ground as the browser paints it: a step at `alpha` is composited over `over` per channel. */
function paint(g: Ground, steps: Record<number, string>): string {
  if (typeof g === "string") return g;
  const top = steps[g.step];
  if (g.alpha === undefined) return top;
  const ch = (h: string, i: number) => parseInt(h.slice(1 + 2 * i, 3 + 2 * i), 16);
  const over = g.over ?? "#ffffff";
  return "#" +
    [0, 1, 2].map((i) =>
      Math.round(ch(over, i) + (ch(top, i) - ch(over, i)) * g.alpha!).toString(16).padStart(2, "0")
    ).join("");
}

/** Every rule a palette breaks, one readable line each ([] when it keeps them all). */
function broken(palette: AccentPalette): string[] {
  const out: string[] = [];
  for (const theme of ["light", "dark"] as Theme[]) {
    const s = palette[theme];
    for (const rule of ACCENT_RULES[theme]) {
      for (const step of rule.steps) {
        for (const g of rule.on) {
          const ground = paint(g, s.steps);
          const ratio = contrastRatio(s.steps[step], ground);
          if (ratio < rule.min) {
            out.push(`${theme} ${step} ${s.steps[step]} on ${ground}: ${ratio.toFixed(2)}`);
          }
        }
      }
    }
    for (const fill of [s.steps[600], s.hover]) {
      const ratio = contrastRatio(s.onBrand, fill);
      if (ratio < 4.5) out.push(`${theme} text ${s.onBrand} on ${fill}: ${ratio.toFixed(2)}`);
    }
  }
  return out;
}

Deno.test("contrastRatio: WCAG 2.x's own reference values", () => {
  assert.equal(contrastRatio("#000000", "#ffffff"), 21);
  assert.equal(contrastRatio("#ffffff", "#000000"), 21);
  assert.equal(contrastRatio("#2549ea", "#2549ea"), 1);
  // The familiar edge of AA on white: #767676 passes, #777777 does not.
  assert.equal(contrastRatio("#767676", "#ffffff").toFixed(2), "4.54");
  assert.equal(contrastRatio("#777777", "#ffffff").toFixed(2), "4.48");
  assert.equal(contrastRatio("#ffff00", "#ffffff").toFixed(2), "1.07");
  assert.equal(contrastRatio("#00ff00", "#ffffff").toFixed(2), "1.37");
  assert.equal(relativeLuminance("#ffffff"), 1);
  assert.equal(relativeLuminance("#000000"), 0);
  assert.equal(relativeLuminance("#ff0000"), 0.2126);
  assert.equal(relativeLuminance("#00ff00"), 0.7152);
  assert.equal(relativeLuminance("#0000ff"), 0.0722);
});

Deno.test("textOn: black or white, whichever stands out more, and always at least 4.5:1", () => {
  assert.equal(textOn("#ffff00"), "#000000");
  assert.equal(textOn("#00ff00"), "#000000");
  assert.equal(textOn("#0d9488"), "#000000"); // white on it is 3.7:1
  assert.equal(textOn("#000080"), "#ffffff");
  assert.equal(textOn("#2549ea"), "#ffffff");
  fc.assert(
    fc.property(hex, (fill) => {
      const other = textOn(fill) === "#000000" ? "#ffffff" : "#000000";
      const ratio = contrastRatio(textOn(fill), fill);
      return ratio >= 4.5 && ratio >= contrastRatio(other, fill);
    }),
    { numRuns: 2_000 },
  );
});

Deno.test("accentPalette: yellow is drawn darker in light only, with black text on it", () => {
  const { light, dark } = accentPalette("#ffff00");
  assert.deepEqual(broken({ light, dark }), []);
  assert.equal(light.moved, true);
  // Still yellow: only lightness moved (red and green equal, no blue).
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(light.steps[600].slice(i, i + 2), 16));
  assert.equal(r, g);
  assert.equal(b, 0);
  // 3:1 on the darkest light ground (slate-100, a row under the pointer), and no darker.
  assert.ok(contrastRatio(light.steps[600], "#f1f5f9") >= 3);
  assert.ok(contrastRatio(light.steps[600], "#f1f5f9") < 3.1, "no darker than it must be");
  assert.equal(light.onBrand, "#000000");
  // Dark mode keeps the host's own yellow for the button, with black text (was white: 1.07:1).
  assert.equal(dark.steps[600], "#ffff00");
  assert.equal(dark.moved, false);
  assert.equal(dark.onBrand, "#000000");
  // Times and links on white are text: 4.5:1.
  assert.ok(contrastRatio(light.steps[700], "#ffffff") >= 4.5);
  assert.ok(contrastRatio(light.steps[800], "#ffffff") >= 4.5);
});

Deno.test("accentPalette: navy stays navy in light and is lightened in dark", () => {
  const { light, dark } = accentPalette("#000080");
  assert.deepEqual(broken({ light, dark }), []);
  assert.equal(light.steps[600], "#000080");
  assert.equal(light.moved, false);
  assert.equal(light.onBrand, "#ffffff");
  assert.equal(dark.moved, true);
  assert.ok(relativeLuminance(dark.steps[600]) > relativeLuminance("#000080"));
  assert.ok(contrastRatio(dark.steps[400], "#020618") >= 4.5, "the chosen day's slate-950 text");
});

Deno.test("accentPalette: lime, teal and the default blue keep every rule; a colour that fits is not moved", () => {
  for (const accent of ["#00ff00", "#0d9488", "#2549ea", "#ffffff", "#000000", "#ff0000"]) {
    assert.deepEqual(broken(accentPalette(accent)), [], accent);
  }
  assert.equal(accentPalette("#2549ea").light.steps[600], "#2549ea");
  assert.equal(accentPalette("#0d9488").light.steps[600], "#0d9488");
  assert.equal(accentPalette("#0d9488").light.onBrand, "#000000");
});

Deno.test("accentPalette: any colour a host can pick keeps every rule, light and dark", () => {
  fc.assert(
    fc.property(hex, (accent) => {
      assert.deepEqual(broken(accentPalette(accent)), [], accent);
    }),
    { numRuns: 1_000 },
  );
});

Deno.test("accentStyle: both themes' scales as custom properties; nothing for no accent", () => {
  assert.equal(accentStyle(null), "");
  const style = accentStyle(parseAccent("FFFF00"));
  for (const theme of ["light", "dark"]) {
    for (const k of STEPS) assert.match(style, new RegExp(`--accent-${theme}-${k}: #[0-9a-f]{6}`));
    assert.match(style, new RegExp(`--accent-${theme}-on: #000000`));
    assert.match(style, new RegExp(`--accent-${theme}-hover: #[0-9a-f]{6}`));
  }
  assert.match(style, /--accent-dark-600: #ffff00/);
  assert.doesNotMatch(style, /[<>"]/);
});
