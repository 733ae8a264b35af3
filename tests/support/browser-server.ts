/**
 * One Chromium for a whole `npm test` run: scripts/test-all.sh starts this before the test
 * shards and hands its address on (INVITO_TEST_BROWSER_WS), and `launchBrowser()` connects to it
 * instead of starting a Chromium of its own for each test file. Every test still gets browser
 * contexts of its own (cookies, storage, cache), closed when it closes its browser; what it
 * saves is Chromium's start and stop, 0.6-1.2 s a file on the 2-core box, times ~130 files.
 *
 *   deno run -A tests/support/browser-server.ts FILE
 *
 * writes the server's WebSocket address to FILE once it listens (whole: written beside, then
 * renamed), then runs until it is killed; the run's cleanup kills it with everything else it
 * started (INVITO_TEST_RUN_ID).
 */
import { chromium } from "playwright-core";
import { chromiumArgs, chromiumPath } from "./browser.ts";

const [file] = Deno.args;
if (!file) throw new Error("usage: browser-server.ts FILE");
const server = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
await Deno.writeTextFile(`${file}.part`, server.wsEndpoint());
await Deno.rename(`${file}.part`, file);
// Until killed (Playwright closes the browser on SIGTERM/SIGINT itself): the timer keeps the
// process alive should nothing else.
setInterval(() => {}, 1 << 30);
