/**
 * Tailwind 4 loads this through `@config` in src/app.css. Theme tokens (colours, fonts) live in
 * app.css's `@theme` block instead, because there they become CSS variables that the
 * embeddable widget can re-point at a host's accent colour. Dark mode is the `dark` custom
 * variant in app.css (a class, or the system preference when JavaScript is off).
 */
/** @type {import('tailwindcss').Config} */
export default {
  content: ["./src/**/*.{html,svelte,ts}"],
};
