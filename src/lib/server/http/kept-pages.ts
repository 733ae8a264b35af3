/**
 * Pages kept as bytes (the page cache's rendered pages, the refused posts' templates), bounded
 * by how many there are and by the bytes they hold: their parts, and the deflated copies of the
 * parts that the first gzip answer makes (spliced-bytes.ts). Those copies come after a page is
 * kept; with plain bytes counted only, the pages could hold ~25 % past the bound (a page's HTML
 * deflates to about a quarter), twice it for bytes that do not compress (issue 26).
 */
import type { Spliced } from "./spliced-bytes.ts";

/** The bytes a kept page holds in buffers. */
export function heldBytes(t: Spliced): number {
  let n = t.size;
  for (const d of t.deflated ?? []) n += d.length;
  return n;
}

/** Insertion order is recency: a page used again moves to the end, the oldest leave first. */
export class KeptPages<T extends Spliced> {
  readonly #pages = new Map<string, { page: T; counted: number }>();
  #bytes = 0;

  constructor(readonly maxEntries: number, readonly maxBytes: number) {}

  get size(): number {
    return this.#pages.size;
  }

  /** The bytes counted against the bound. */
  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): T | undefined {
    return this.#pages.get(key)?.page;
  }

  /** `key`'s page was used: it becomes the newest. */
  touch(key: string): void {
    const kept = this.#pages.get(key);
    if (!kept) return;
    this.#pages.delete(key);
    this.#pages.set(key, kept);
  }

  keep(key: string, page: T): void {
    this.forget(key);
    const counted = heldBytes(page);
    while (
      this.#pages.size >= this.maxEntries ||
      (this.#pages.size && this.#bytes + counted > this.maxBytes)
    ) this.forget(this.#pages.keys().next().value!);
    this.#pages.set(key, { page, counted });
    this.#bytes += counted;
  }

  forget(key: string): void {
    const kept = this.#pages.get(key);
    if (!kept) return;
    this.#pages.delete(key);
    this.#bytes -= kept.counted;
  }

  /**
   * After an answer from `page` (kept under `key`) that may have made its deflated copies: they
   * count from now on, and the oldest other pages leave while the bound is passed.
   */
  recount(key: string, page: T): void {
    const kept = this.#pages.get(key);
    if (kept?.page !== page) return;
    const now = heldBytes(page);
    if (now === kept.counted) return;
    this.#bytes += now - kept.counted;
    kept.counted = now;
    for (const other of this.#pages.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      if (other !== key) this.forget(other);
    }
  }
}
