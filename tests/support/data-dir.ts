/**
 * Where the tests' servers keep their stores: `INVITO_TEST_DATA_DIR` when set (`npm test` points
 * it at memory, /dev/shm, where the machine has room: a KV commit on the disk waits for its
 * fsync, and the suite commits a great deal), else the system's temporary folder.
 *
 * Only stores go there: Deno asks for `--allow-all` to touch anything under /dev, so a file a
 * process with scoped permissions reads (the uploader, the Docker stage's server) stays in the
 * temporary folder.
 */
export const testDataRoot: string | undefined = Deno.env.get("INVITO_TEST_DATA_DIR") || undefined;

/** A new folder for one test's store. */
export async function makeDataDir(prefix: string): Promise<string> {
  return await Deno.makeTempDir({ prefix, dir: testDataRoot });
}
