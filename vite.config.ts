import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig, type Plugin } from "vite";
import { readFile } from "node:fs/promises";
import { publicPart } from "./src/lib/shared/catalog-parts.ts";

/** `messages/xx.json?public`: the messages public pages show (src/lib/shared/catalog-parts.ts). */
function publicCatalogs(): Plugin {
  return {
    name: "invito:public-catalogs",
    enforce: "pre",
    async load(id) {
      const [file, query] = id.split("?");
      if (query !== "public" || !/[/\\]src[/\\]lib[/\\]messages[/\\][a-z]+\.json$/.test(file)) {
        return null;
      }
      this.addWatchFile(file);
      const catalog = publicPart(JSON.parse(await readFile(file, "utf8")));
      return `export default ${JSON.stringify(catalog)};`;
    },
  };
}

export default defineConfig({
  plugins: [publicCatalogs(), tailwindcss(), sveltekit()],
  // KV sqlite files under the root would trigger a page reload on every write.
  server: { watch: { ignored: ["**/data/**", "**/.deno-deploy/**", "**/tests/**"] } },
});
