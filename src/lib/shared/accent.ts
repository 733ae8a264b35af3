/**
 * A host's accent colour for the embedded widget: one hex colour becomes the brand scale the
 * components use, once for the light theme and once for the dark one. Anything that is not a
 * 6-digit hex colour means "use the default".
 *
 * The scale keeps the host's hue and moves a step's lightness only as far as it must for what
 * is drawn with it to be read (WCAG 2.x AA: 4.5:1 for text, 3:1 for a control's fill, ring or
 * focus outline) against what it stands on in that theme (`ACCENT_RULES`). Mixing only ever
 * toward black or white keeps the hue. Text on a filled control (`bg-brand-600`) is black or
 * white, whichever stands out more: one of the two always reaches 4.58:1.
 */
const HEX = /^#?([0-9a-f]{6})$/i;

export function parseAccent(input: string | null | undefined): string | null {
  const m = HEX.exec((input ?? "").trim());
  return m ? `#${m[1].toLowerCase()}` : null;
}

type Rgb = [number, number, number];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

const rgbOf = (hex: string): Rgb => {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};
const hexOf = (rgb: Rgb): string => "#" + rgb.map((c) => c.toString(16).padStart(2, "0")).join("");

function mix(rgb: Rgb, toward: Rgb, amount: number): Rgb {
  return rgb.map((c, i) => Math.round(c + (toward[i] - c) * amount)) as Rgb;
}

/** An 8-bit sRGB channel as linear light (WCAG 2.x, with sRGB's own 0.04045 knee). */
const LINEAR = Array.from({ length: 256 }, (_, c) => {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
});

const luminanceOf = ([r, g, b]: Rgb) =>
  0.2126 * LINEAR[r] + 0.7152 * LINEAR[g] + 0.0722 * LINEAR[b];

/** WCAG 2.x relative luminance of a `#rrggbb` colour: 0 for black, 1 for white. */
export function relativeLuminance(hex: string): number {
  return luminanceOf(rgbOf(hex));
}

const ratioOf = (a: Rgb, b: Rgb) => {
  const [x, y] = [luminanceOf(a), luminanceOf(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};

/** WCAG 2.x contrast ratio of two `#rrggbb` colours, 1 (none) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  return ratioOf(rgbOf(a), rgbOf(b));
}

/** Black or white, whichever has more contrast on `fill` (a `#rrggbb` colour). */
export function textOn(fill: string): "#000000" | "#ffffff" {
  const rgb = rgbOf(fill);
  return ratioOf(rgb, BLACK) > ratioOf(rgb, WHITE) ? "#000000" : "#ffffff";
}

/**
 * What the page itself draws behind the brand colours, as Chromium paints Tailwind 4's oklch:
 * white, slate-50 and slate-100 (cards, the page, a row under the pointer) in light; slate-900,
 * slate-950 and slate-800 in dark.
 */
export const SURFACES = {
  light: ["#ffffff", "#f8fafc", "#f1f5f9"],
  dark: ["#0f172b", "#020618", "#1d293d"],
} as const;

export const STEPS = [50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950] as const;
export type Step = (typeof STEPS)[number];
export type Theme = "light" | "dark";

/** What one theme draws with the accent. */
export type AccentScale = {
  steps: Record<Step, string>;
  /** Text on a filled control (`text-on-brand` on `bg-brand-600`): black or white. */
  onBrand: string;
  /** A filled control under the pointer (`hover:bg-brand-hover`): further from its text. */
  hover: string;
  /** The accent itself (step 600) had to move to be seen: darker in light, lighter in dark. */
  moved: boolean;
};

/**
 * Something a step of the scale is drawn on: a fixed colour, another step of the same theme, or
 * that step laid at `alpha` over the page (`bg-brand-950/60`).
 */
export type Ground = string | { step: Step; alpha?: number; over?: string };

/**
 * What each step is drawn as, and on what, in each theme, from the components' classes: `min`
 * is the contrast it needs there. A step named in no rule (light 200–400: borders beside text
 * that names the control; dark 700/800) keeps its plain mix. Rules run in this order, so a step
 * that others stand on is settled first.
 */
export const ACCENT_RULES: Record<
  Theme,
  { steps: Step[]; on: Ground[]; min: number; why: string }[]
> = {
  light: [
    {
      steps: [500, 600],
      on: [...SURFACES.light, { step: 50 }],
      min: 3,
      why: "a chosen day's fill, a free day's ring, a text box's focus border",
    },
    {
      steps: [700, 800, 900, 950],
      on: [...SURFACES.light, { step: 50 }, { step: 100 }],
      min: 4.5,
      why: "links, times, day numbers; the focus outline",
    },
  ],
  dark: [
    {
      steps: [900, 950],
      on: [{ step: 100 }, { step: 200 }, { step: 300 }],
      min: 4.5,
      why: "surfaces (a free day, a notice) stay dark enough for light text",
    },
    {
      steps: [500, 600],
      on: [...SURFACES.dark, { step: 950 }],
      min: 3,
      why: "a filled button or chip, a text box's focus border",
    },
    {
      steps: [400],
      on: [...SURFACES.dark, { step: 950 }],
      min: 4.5,
      why: "the chosen day's fill under slate-950 text, a free day's ring",
    },
    {
      steps: [300, 200, 100, 50],
      on: [
        ...SURFACES.dark,
        { step: 900 },
        { step: 950 },
        ...[0.4, 0.5, 0.6].flatMap((alpha) =>
          SURFACES.dark.map((over) => ({ step: 950 as Step, alpha, over }))
        ),
      ],
      min: 4.5,
      why: "links, times, day numbers; the focus outline",
    },
  ],
};

/** The plain scale: the accent at 600, mixed toward white below and black above. */
const MIX: Record<Step, [Rgb, number]> = {
  50: [WHITE, 0.92],
  100: [WHITE, 0.85],
  200: [WHITE, 0.7],
  300: [WHITE, 0.5],
  400: [WHITE, 0.25],
  500: [WHITE, 0.1],
  600: [WHITE, 0],
  700: [BLACK, 0.15],
  800: [BLACK, 0.3],
  900: [BLACK, 0.45],
  950: [BLACK, 0.6],
};

const groundRgb = (g: Ground, steps: Record<Step, Rgb>): Rgb => {
  if (typeof g === "string") return rgbOf(g);
  const top = steps[g.step];
  if (g.alpha === undefined) return top;
  return mix(rgbOf(g.over ?? "#ffffff"), top, g.alpha);
};

/**
 * The least mix toward `toward` (black or white) at which `rgb` has `min` contrast on every
 * ground, in 1/255 steps: the colour moves only as far as it must. Black and white themselves
 * always get there on the grounds the rules name.
 */
function reach(rgb: Rgb, toward: Rgb, grounds: Rgb[], min: number): Rgb {
  const under = grounds.map(luminanceOf);
  for (let i = 0; i <= 255; i++) {
    const c = mix(rgb, toward, i / 255);
    const l = luminanceOf(c);
    if (under.every((u) => (l > u ? (l + 0.05) / (u + 0.05) : (u + 0.05) / (l + 0.05)) >= min)) {
      return c;
    }
  }
  return toward;
}

function scaleFor(accent: string, theme: Theme): AccentScale {
  const base = rgbOf(accent);
  const steps = Object.fromEntries(
    STEPS.map((k) => [k, mix(base, MIX[k][0], MIX[k][1])]),
  ) as Record<Step, Rgb>;
  // Light: brand colours drawn on light grounds darken; dark: lighten. Dark's own surfaces
  // (900, 950) darken to stay surfaces.
  for (const rule of ACCENT_RULES[theme]) {
    const grounds = rule.on.map((g) => groundRgb(g, steps));
    for (const k of rule.steps) {
      const toward = theme === "light" || k >= 900 ? BLACK : WHITE;
      steps[k] = reach(steps[k], toward, grounds, rule.min);
    }
  }
  const fill = hexOf(steps[600]);
  const onBrand = textOn(fill);
  // Under the pointer a fill moves away from its text: the text only gains.
  const hover = mix(steps[600], onBrand === "#ffffff" ? BLACK : WHITE, 0.15);
  return {
    steps: Object.fromEntries(STEPS.map((k) => [k, hexOf(steps[k])])) as Record<Step, string>,
    onBrand,
    hover: hexOf(hover),
    moved: fill !== accent,
  };
}

export type AccentPalette = Record<Theme, AccentScale>;

/** The accent's scale in each theme (`accent` as `parseAccent` returns it). */
export function accentPalette(accent: string): AccentPalette {
  return { light: scaleFor(accent, "light"), dark: scaleFor(accent, "dark") };
}

/**
 * CSS custom properties for an element with `data-accent`: both themes' scales, which app.css
 * points Tailwind's brand colours at by the theme in force (the system's, without a choice).
 */
export function accentStyle(accent: string | null): string {
  if (!accent) return "";
  const palette = accentPalette(accent);
  return (["light", "dark"] as const).flatMap((theme) => {
    const s = palette[theme];
    return [
      ...STEPS.map((k) => `--accent-${theme}-${k}: ${s.steps[k]}`),
      `--accent-${theme}-on: ${s.onBrand}`,
      `--accent-${theme}-hover: ${s.hover}`,
    ];
  }).join("; ");
}
