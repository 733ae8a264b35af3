/** A response body from text produced piece by piece; a failure mid-way aborts the body. */
export function textStream(source: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const enc = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(enc.encode(value));
    },
    async cancel() {
      await it.return?.();
    },
  });
}
