import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [tailwindcss(), sveltekit()],
  // KV sqlite files under the root would trigger a page reload on every write.
  server: { watch: { ignored: ["**/data/**", "**/.deno-deploy/**", "**/tests/**"] } },
});
