/**
 * A file uploaded to the profile's import form from another process, as from another machine:
 * the process that measures the server's pages (tests/integration/audit2-http.test.ts,
 * bench/import-pages.ts) does none of the sending.
 *
 * - `"form"`: as a browser sends the form — multipart with its length declared; it arrives over
 *   the socket in pieces.
 * - `"chunked"`: the same multipart streamed 256 KiB at a time. Deno's fetch sends a streamed
 *   body chunked even when a length is set by hand, so the server learns its length at the end.
 */
import { join } from "node:path";
import { denoBin } from "./app.ts";

const UPLOADER = `const [how, file, url, cookie, origin] = Deno.args;
const headers = { cookie, origin, accept: "text/html" };
let body;
if (how === "form") {
  body = new FormData();
  body.set("file", new Blob([await Deno.readFile(file)], { type: "application/json" }), "export.json");
} else {
  const boundary = "invito-" + crypto.randomUUID();
  const enc = new TextEncoder();
  const head = enc.encode("--" + boundary + "\\r\\nContent-Disposition: form-data; name=\\"file\\"; filename=\\"export.json\\"\\r\\nContent-Type: application/json\\r\\n\\r\\n");
  const tail = enc.encode("\\r\\n--" + boundary + "--\\r\\n");
  const size = (await Deno.stat(file)).size;
  const f = await Deno.open(file);
  body = new ReadableStream({
    start(c) { c.enqueue(head); },
    async pull(c) {
      const buf = new Uint8Array(256 * 1024);
      const n = await f.read(buf);
      if (n === null) { f.close(); c.enqueue(tail); c.close(); } else c.enqueue(buf.subarray(0, n));
    },
  });
  headers["content-type"] = "multipart/form-data; boundary=" + boundary;
  headers["content-length"] = String(head.length + size + tail.length);
}
const res = await fetch(url, { method: "POST", headers, body });
const text = await res.text();
await Deno.stdout.write(new TextEncoder().encode(text + "\\n" + res.status));
`;

export type Upload = { status: number; body: string };

/**
 * An upload of `text` as the file of the import form at `url` (the action's address) with a
 * signed-in host's `cookie`; `origin` is the server's. The file is written first, so `send`
 * does nothing in this process but wait for the answer's status and page.
 */
export async function prepareUpload(
  how: "form" | "chunked",
  text: string,
  url: string,
  cookie: string,
  origin: string,
): Promise<{ send(): Promise<Upload> }> {
  const dir = await Deno.makeTempDir({ prefix: "invito-upload-" });
  const file = join(dir, "export.json");
  const uploader = join(dir, "upload.ts");
  await Deno.writeTextFile(file, text);
  await Deno.writeTextFile(uploader, UPLOADER);
  return {
    async send() {
      try {
        const out = await new Deno.Command(denoBin, {
          args: ["run", "--allow-read", "--allow-net", uploader, how, file, url, cookie, origin],
          stdout: "piped",
          stderr: "piped",
        }).output();
        if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
        const reply = new TextDecoder().decode(out.stdout);
        const at = reply.lastIndexOf("\n");
        return { status: Number(reply.slice(at + 1)), body: reply.slice(0, at) };
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  };
}
