import adapter from "@deno/svelte-adapter";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter(),
    // Absolute asset paths. With relative ones SvelteKit sets its process-wide `base` to the
    // page's "../.." for the render and puts it back only after an await, so a request entering
    // SvelteKit in that tick was answered "Not found" (a 404 for a guest's booking under load;
    // ADR 059). The app is served at its origin's root anyway.
    paths: { relative: false },
    csp: {
      mode: "nonce",
      directives: {
        "default-src": ["self"],
        "script-src": ["self"],
        // Svelte transitions and inline style attributes need inline styles; scripts stay nonce-only.
        "style-src": ["self", "unsafe-inline"],
        "img-src": ["self", "data:"],
        "font-src": ["self"],
        "connect-src": ["self"],
        "object-src": ["none"],
        "base-uri": ["self"],
        "form-action": ["self"],
        "frame-ancestors": ["none"],
      },
    },
  },
};
