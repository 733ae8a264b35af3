/**
 * The Worker that reads an export file off the server's request thread (services/import-file.ts
 * `readExportInput`): it gets the file's or the form's bytes (transferred, not copied) and answers with the
 * refusal, or with the checked file — its bookings in batches, so that the thread receiving them
 * rebuilds a few thousand at a time and goes on answering requests in between.
 * Started by services/import-reader.ts; it imports nothing of the app.
 */
import { setPriority } from "node:os";
import { type ExportInput, readExportInput } from "./import-file.ts";

export const BOOKINGS_PER_MESSAGE = 2_000;

export type WorkerMessage =
  | { kind: "refused"; refusal: import("./import-file.ts").ReadRefusal }
  | { kind: "head"; file: import("./import-file.ts").ImportData; bookings: number }
  | { kind: "bookings"; items: unknown[] }
  | { kind: "done" };

/**
 * Reading a file is background work: on Linux this Worker's own thread runs at a lower priority
 * (nice 10), so that on a busy machine the thread answering requests comes first. Elsewhere, or
 * without access to /proc, it runs as it is.
 */
try {
  const tid = Number(Deno.readLinkSync("/proc/thread-self").split("/").pop());
  if (Number.isSafeInteger(tid) && tid !== Deno.pid) setPriority(tid, 10);
} catch {
  // not Linux, or not allowed: nothing to lower
}

/** The Worker's global scope (typed here: the app's TypeScript setup has no worker lib). */
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ExportInput>) => void) | null;
  postMessage(message: WorkerMessage): void;
};

scope.onmessage = async (e: MessageEvent<ExportInput>) => {
  const read = await readExportInput(e.data);
  if (!read.ok) {
    scope.postMessage({ kind: "refused", refusal: read.refusal } satisfies WorkerMessage);
    return;
  }
  const { bookings, ...rest } = read.file;
  scope.postMessage(
    {
      kind: "head",
      file: { ...rest, bookings: [] },
      bookings: bookings.length,
    } satisfies WorkerMessage,
  );
  for (let i = 0; i < bookings.length; i += BOOKINGS_PER_MESSAGE) {
    scope.postMessage(
      {
        kind: "bookings",
        items: bookings.slice(i, i + BOOKINGS_PER_MESSAGE),
      } satisfies WorkerMessage,
    );
  }
  scope.postMessage({ kind: "done" } satisfies WorkerMessage);
};
