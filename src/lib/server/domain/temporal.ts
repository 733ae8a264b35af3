/**
 * The single place the domain layer gets Temporal from. Deno 2.9 also ships a native global
 * `Temporal`; switching to it (or to a newer polyfill) is a one-line change here.
 */
export { Temporal } from "temporal-polyfill";
