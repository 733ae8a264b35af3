/**
 * Loads several test files into one `deno test` module: scripts/test-all.sh writes one such group
 * module per dozen or so files (INVITO_TEST_GROUP). Deno starts a new worker for every test
 * module, and on the virtualised 2-core boxes the suite runs on, a worker costs ~0.3 s of CPU
 * before its file's first import, half of it the kernel's page faults; each file then loaded its
 * own imports again (playwright-core alone ~0.45 s). Loaded with no test run (`--filter` matching
 * none), the browser files took 96.8 CPU-s as 151 modules and 1.4 as one module; the src files'
 * whole run fell from 207 to 142 CPU-s.
 *
 * A group keeps what a file on its own had: Deno names each test's own file (its report, its
 * JUnit suites and a failure's `=> file:line` go by where `Deno.test` was called), and a file
 * that fails to load fails as a test named after it while the group's other files still run.
 * What a group shares is the JavaScript realm: module-level state of a shared import (a cache, a
 * patched console) lives on from one file to the next, as `Deno.env` and the process's resources
 * always did. An uncaught error from a dangling promise ends the group's module, so its later
 * files do not run; the run still fails, as Deno counts that error.
 */
import { pathToFileURL } from "node:url";

/** Imports `files` (absolute paths) in order; a file that throws becomes one failing test. */
export async function loadGroup(files: string[]): Promise<void> {
  for (const file of files) {
    try {
      await import(pathToFileURL(file).href);
    } catch (e) {
      Deno.test(`${file} failed to load`, () => {
        throw e;
      });
    }
  }
}
