/**
 * CSV (RFC 4180): comma-separated, CRLF line ends, fields quoted when they hold a comma, quote or
 * line break. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start)
 * is prefixed with an apostrophe: event type titles are the host's own words, but a shared
 * export must never execute anything. The text starts with a UTF-8 byte-order mark, so Excel on
 * Windows reads umlauts and accents as UTF-8 (RFC 4180 parsers skip it).
 */
import type { Table } from "../../shared/insights-types.ts";

export const BOM = "\uFEFF";

export function toCsv(table: Table): string {
  return BOM + csvLines([table.columns, ...table.rows]);
}

/** Rows as CSV lines, each ended by CRLF (no byte-order mark): for a file written in pieces. */
export function csvLines(rows: Table["rows"]): string {
  return rows.map((r) => r.map(field).join(",") + "\r\n").join("");
}

function field(v: string | number): string {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Reads what `toCsv` wrote (for tests and round trips): numbers come back as numbers. */
export function parseCsv(text: string): (string | number)[][] {
  const rows: (string | number)[][] = [];
  let row: (string | number)[] = [];
  let cell = "";
  let quoted = false;
  let wasQuoted = false;
  const push = () => {
    row.push(!wasQuoted && cell !== "" && !Number.isNaN(Number(cell)) ? Number(cell) : cell);
    cell = "";
    wasQuoted = false;
  };
  for (let i = text.startsWith(BOM) ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ",") push();
    else if (c === "\r" && text[i + 1] === "\n") {
      push();
      rows.push(row);
      row = [];
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length) {
    push();
    rows.push(row);
  }
  return rows;
}
