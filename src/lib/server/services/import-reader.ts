/**
 * Who reads an export file for the import (services/import-file.ts): a Worker per file, with a
 * deadline, at most `MAX_PARALLEL` at once per process (more wait their turn). server.ts mounts
 * the Worker reader at start (the Worker runs the server modules from source, as server.ts does);
 * without it (unit tests, `vite dev`) the file is read on the calling thread.
 */
import type { ExportInput, ImportData, ReadResult } from "./import-file.ts";
import type { WorkerMessage } from "./import-worker.ts";

export type ExportReader = (input: ExportInput) => Promise<ReadResult>;

const READER = Symbol.for("invito.exportReader");
type Holder = { [READER]?: ExportReader };

/**
 * Files read at the same time per process; the next waits. One leaves the other core (of the
 * smallest machine we run on, two) to the thread that answers requests.
 */
export const MAX_PARALLEL = 1;
/** A file the Worker has not read by then is refused (and the Worker ended). */
export const READ_DEADLINE_MS = 60_000;

export function mountExportReader(reader: ExportReader): void {
  (globalThis as Holder)[READER] = reader;
}

/** The mounted reader, or one on this thread. */
export function exportReader(): ExportReader {
  return (globalThis as Holder)[READER] ?? readOnThisThread;
}

/**
 * Loaded on first use: server.ts imports this module for the Worker reader, and a static import
 * would load the import's whole module graph into server.ts's copy of the code too (the build has
 * its own).
 */
const readOnThisThread: ExportReader = async (input) =>
  (await import("./import-file.ts")).readExportInput(input);

/** A reader that runs each file in a Worker started from `workerUrl` (import-worker.ts). */
export function workerExportReader(workerUrl: string | URL): ExportReader {
  let running = 0;
  const waiting: (() => void)[] = [];
  const turn = async () => {
    if (running >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
    running++;
  };
  const done = () => {
    running--;
    waiting.shift()?.();
  };
  return async (input) => {
    await turn();
    try {
      return await readInWorker(workerUrl, input);
    } finally {
      done();
    }
  };
}

function readInWorker(workerUrl: string | URL, input: ExportInput): Promise<ReadResult> {
  const worker = new Worker(workerUrl, { type: "module" });
  return new Promise<ReadResult>((resolve) => {
    let file: ImportData | null = null;
    const finish = (result: ReadResult) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, refusal: { key: "import.unreadable_file", values: {} } }),
      READ_DEADLINE_MS,
    );
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.kind === "refused") finish({ ok: false, refusal: m.refusal });
      else if (m.kind === "head") file = m.file;
      else if (m.kind === "bookings") {
        for (const b of m.items) file!.bookings.push(b as ImportData["bookings"][number]);
      } else finish({ ok: true, file: file! });
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish({ ok: false, refusal: { key: "import.unreadable_file", values: {} } });
    };
    // Transferred: the Worker owns the bytes; this thread keeps no copy.
    const { bytes } = input;
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes
      : bytes.slice();
    worker.postMessage({ ...input, bytes: own }, [own.buffer as ArrayBuffer]);
  });
}
