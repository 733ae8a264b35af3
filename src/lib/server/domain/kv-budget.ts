/**
 * What one atomic KV write may carry on remote KV (Deno Deploy KV, denokv over KV Connect), and
 * upper bounds of what a planned write costs, so that "fits" is decided before anything is sent.
 *
 * Sizes are upper bounds of Deno KV's encoding: values are V8-serialized (a string takes at most
 * 2 bytes per UTF-16 unit: V8 writes Latin-1 strings with one byte per character and all others
 * as UTF-16), keys use the FoundationDB tuple layer (a string part is its UTF-8 plus escaping).
 * A test compares the bounds with `node:v8`'s serializer on random records.
 */
import { utf8Length } from "../../shared/utf8.ts";

export const REMOTE_KV_LIMITS = {
  checks: 10,
  mutations: 1_000,
  /** Keys and values of all mutations of one atomic write. */
  bytes: 800 * 1024,
  /** One value (Deno Deploy). */
  valueBytes: 64 * 1024,
  /** One key (Deno Deploy). */
  keyBytes: 2 * 1024,
} as const;

export type KvLimits = { [K in keyof typeof REMOTE_KV_LIMITS]: number };

export type Budget = {
  checks: number;
  mutations: number;
  bytes: number;
  largestValueBytes: number;
  largestKeyBytes: number;
};

export type KeyPart = string | number | bigint | boolean | Uint8Array;

/** Upper bound of an encoded key's bytes. */
export function keyBytes(key: readonly KeyPart[]): number {
  let n = 0;
  for (const part of key) {
    if (typeof part === "string") n += 2 + 2 * utf8Length(part); // type byte, terminator, escapes
    else if (typeof part === "number") n += 9;
    else if (typeof part === "bigint") n += 2 + Math.ceil(part.toString(16).length / 2);
    else if (typeof part === "boolean") n += 1;
    else n += 2 + 2 * part.byteLength;
  }
  return n;
}

/** Upper bound of a V8-serialized value's bytes (plain data: objects, arrays, strings, numbers). */
export function valueBytes(value: unknown): number {
  return 4 + bound(value);
}

function bound(v: unknown): number {
  switch (typeof v) {
    case "string": // tag, length, padding, then at most 2 bytes per UTF-16 unit
      return 8 + 2 * v.length;
    case "number":
      return 9;
    case "boolean":
    case "undefined":
      return 1;
    case "bigint":
      return 6 + Math.ceil(v.toString(16).length / 2);
    case "object": {
      if (v === null) return 1;
      if (Array.isArray(v)) {
        let n = 17;
        for (const x of v) n += bound(x);
        return n;
      }
      if (v instanceof Uint8Array) return 17 + v.byteLength;
      let n = 7;
      // Own properties, as Object.entries gives them, without an array per property: every
      // plan sizes each value it writes (issue 26's profile: 8 KB of garbage per booking).
      const o = v as Record<string, unknown>;
      for (const k in o) {
        if (Object.hasOwn(o, k)) n += 8 + 2 * k.length + bound(o[k]);
      }
      return n;
    }
    default:
      throw new TypeError(`cannot store a ${typeof v}`);
  }
}

/** The first limit a budget breaks, or null. */
export function exceeds(b: Budget, limits: KvLimits = REMOTE_KV_LIMITS): string | null {
  if (b.checks > limits.checks) return `${b.checks} checks (at most ${limits.checks})`;
  if (b.mutations > limits.mutations) {
    return `${b.mutations} mutations (at most ${limits.mutations})`;
  }
  if (b.bytes > limits.bytes) return `${b.bytes} bytes (at most ${limits.bytes})`;
  if (b.largestValueBytes > limits.valueBytes) {
    return `a value of ${b.largestValueBytes} bytes (at most ${limits.valueBytes})`;
  }
  if (b.largestKeyBytes > limits.keyBytes) {
    return `a key of ${b.largestKeyBytes} bytes (at most ${limits.keyBytes})`;
  }
  return null;
}
