import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig, type Plugin } from "vite";
import { readFile } from "node:fs/promises";
import { publicPart } from "./src/lib/shared/catalog-parts.ts";
import { compileCatalog } from "./src/lib/shared/catalog-compile.ts";

/**
 * `messages/xx.json?public` and `?all`: the messages public pages show
 * (src/lib/shared/catalog-parts.ts), and all of them. The browser's are parsed here
 * (src/lib/shared/catalog-compile.ts, ADR 057); the server's stay ICU sources.
 */
function catalogs(): Plugin {
  return {
    name: "invito:catalogs",
    enforce: "pre",
    async load(id, options) {
      const [file, query] = id.split("?");
      if (
        (query !== "public" && query !== "all") ||
        !/[/\\]src[/\\]lib[/\\]messages[/\\][a-z]+\.json$/.test(file)
      ) {
        return null;
      }
      this.addWatchFile(file);
      const all = JSON.parse(await readFile(file, "utf8"));
      const part = query === "public" ? publicPart(all) : all;
      return `export default ${JSON.stringify(options?.ssr ? part : compileCatalog(part))};`;
    },
  };
}

/**
 * The browser never parses ICU messages (its catalogs come parsed), so `intl-messageformat`'s
 * parser is swapped for FormatJS's own parser-less build of the same module: ~8 KB less script
 * on every page.
 */
function noParserInBrowser(): Plugin {
  const parser = "@formatjs/icu-messageformat-parser";
  return {
    name: "invito:no-parser-in-browser",
    enforce: "pre",
    resolveId(source, importer, options) {
      if (source !== parser || options?.ssr) return null;
      return this.resolve(`${parser}/no-parser.js`, importer, { ...options, skipSelf: true });
    },
  };
}

export default defineConfig({
  plugins: [catalogs(), noParserInBrowser(), tailwindcss(), sveltekit()],
  // V8 keeps every module's source text for lazy compilation, two bytes a character once a
  // module holds one character past Latin-1 (a “quote” or a dash in a catalog or a comment).
  // Escaped, and with doc comments left out, the server's code is one byte a character (issue
  // 26's memory row; ADR 053's addendum). Legal notices and annotations stay.
  build: {
    rolldownOptions: {
      output: { charset: "ascii", comments: { legal: true, annotation: true, jsdoc: false } },
    },
  },
  // KV sqlite files under the root would trigger a page reload on every write.
  server: { watch: { ignored: ["**/data/**", "**/.deno-deploy/**", "**/tests/**"] } },
});
