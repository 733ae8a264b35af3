/** Tailwind 4 loads this through `@config` in src/app.css. Theme tokens live here only. */
/** @type {import('tailwindcss').Config} */
export default {
  content: ["./src/**/*.{html,svelte,ts}"],
  // Dark mode is the `dark` custom variant in src/app.css (class, or system preference without JS).
  theme: {
    extend: {
      colors: {
        brand: {
          50: "#eef4ff",
          100: "#dbe7ff",
          200: "#bfd3ff",
          300: "#93b4fd",
          400: "#608bfa",
          500: "#3b66f5",
          600: "#2549ea",
          700: "#1d37d7",
          800: "#1e2fae",
          900: "#1e2d89",
          950: "#171d53",
        },
      },
      fontFamily: {
        sans: ["Inter", "ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
      },
    },
  },
};
