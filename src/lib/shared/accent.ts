/**
 * A host's accent colour for the embedded widget: one hex colour becomes the brand scale the
 * components use. Anything that is not a 6-digit hex colour means "use the default".
 */
const HEX = /^#?([0-9a-f]{6})$/i;

export function parseAccent(input: string | null | undefined): string | null {
  const m = HEX.exec((input ?? "").trim());
  return m ? `#${m[1].toLowerCase()}` : null;
}

function mix(hex: string, toward: [number, number, number], amount: number): string {
  const n = parseInt(hex.slice(1), 16);
  const rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const out = rgb.map((c, i) => Math.round(c + (toward[i] - c) * amount));
  return "#" + out.map((c) => c.toString(16).padStart(2, "0")).join("");
}

/** CSS custom properties that re-point Tailwind's brand colours at the accent. */
export function accentStyle(accent: string | null): string {
  if (!accent) return "";
  const white: [number, number, number] = [255, 255, 255];
  const black: [number, number, number] = [0, 0, 0];
  const scale: Record<string, string> = {
    50: mix(accent, white, 0.92),
    100: mix(accent, white, 0.85),
    200: mix(accent, white, 0.7),
    300: mix(accent, white, 0.5),
    400: mix(accent, white, 0.25),
    500: mix(accent, white, 0.1),
    600: accent,
    700: mix(accent, black, 0.15),
    800: mix(accent, black, 0.3),
    900: mix(accent, black, 0.45),
    950: mix(accent, black, 0.6),
  };
  return Object.entries(scale).map(([k, v]) => `--color-brand-${k}: ${v}`).join("; ");
}
