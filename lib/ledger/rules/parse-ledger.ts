import { parse } from "csv-parse/sync";
import { z } from "zod";
import { LEDGER_ACCOUNT_TYPES, type LedgerAccountType } from "./account-types";

// Reading AWRA's chart of accounts and balances, from a CSV upload or as JSON from AWRA's systems, and checking every
// row before anything is stored. Never throws for bad input: every problem comes back with its line and field, so the
// whole file can be corrected in one go.
//
// CSV: RFC 4180 (quoted fields may hold commas, quotes doubled, line breaks), UTF-8 with or without a byte-order mark,
// header `code,name,type,balance,as_of` (any order, any case). JSON: an array of objects with the same fields; its
// "line" is the item's position, 1-based.

export const LEDGER_IMPORT_MAX_ROWS = 10_000;
export const LEDGER_FIELDS = ["code", "name", "type", "balance", "as_of"] as const;
type LedgerField = (typeof LEDGER_FIELDS)[number];

export interface LedgerRow {
  code: string;
  name: string;
  type: LedgerAccountType;
  /** A decimal with at most two places, normalised to exactly two: "-1250.50". */
  balance: string;
  /** "2026-11-30" */
  asOf: string;
}

export interface LedgerImportIssue {
  /** CSV: the line in the file (the header is line 1). JSON: the item's position, 1-based. 0: the whole input. */
  line: number;
  /** One of code, name, type, balance, as_of; "" when the problem is the row or the file itself. */
  field: LedgerField | "";
  message: string;
}

export type LedgerParse = { ok: true; rows: LedgerRow[] } | { ok: false; issues: LedgerImportIssue[] };

/** numeric(18,2): at most 16 digits before the point. */
const BALANCE = /^-?\d{1,16}(\.\d{1,2})?$/;

/** "2026-02-29" is not a calendar date, "2028-02-29" is. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function normaliseBalance(value: string): string {
  const [whole, fraction = ""] = value.split(".");
  return `${whole}.${fraction.padEnd(2, "0")}`;
}

const cell = (field: string) => z.union([z.string(), z.number()], { error: `${field} must be text` }).transform((value) => String(value).trim());

const rowSchema = z.object({
  code: cell("code").pipe(z.string().min(1, "code is required").max(32, "code must be at most 32 characters")),
  name: cell("name").pipe(z.string().min(1, "name is required").max(200, "name must be at most 200 characters")),
  type: cell("type")
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(LEDGER_ACCOUNT_TYPES, { error: `type must be one of ${LEDGER_ACCOUNT_TYPES.join(", ")}` })),
  balance: z
    .union([z.string(), z.number().finite()], { error: "balance must be a decimal number" })
    .transform((value) => String(value).trim())
    .pipe(z.string().regex(BALANCE, 'balance must be a decimal with at most two decimal places, like "1250.50" or "-80"'))
    .transform(normaliseBalance),
  as_of: cell("as_of").pipe(z.string().refine(isCalendarDate, "as_of must be a date written YYYY-MM-DD")),
});

/** Checks every row; `lines[i]` is the line reported for `records[i]`. Duplicate codes are reported on their later lines. */
function validateRows(records: readonly Record<string, unknown>[], lines: readonly number[], issues: LedgerImportIssue[]): LedgerRow[] {
  const rows: LedgerRow[] = [];
  const firstLineOfCode = new Map<string, number>();
  records.forEach((record, index) => {
    const line = lines[index]!;
    const parsed = rowSchema.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = LEDGER_FIELDS.find((name) => name === issue.path[0]) ?? "";
        const absent = field !== "" && (record[field] === undefined || record[field] === null);
        issues.push({ line, field, message: absent ? `${field} is required` : issue.message });
      }
      return;
    }
    const { code, name, type, balance, as_of: asOf } = parsed.data;
    const earlier = firstLineOfCode.get(code);
    if (earlier !== undefined) {
      issues.push({ line, field: "code", message: `code ${code} is already on line ${earlier}` });
      return;
    }
    firstLineOfCode.set(code, line);
    rows.push({ code, name, type, balance, asOf });
  });
  return rows;
}

/** Checks the records read; the parse succeeds only if neither reading nor checking found a problem. */
function checked(records: readonly Record<string, unknown>[], lines: readonly number[], issues: LedgerImportIssue[]): LedgerParse {
  const rows = validateRows(records, lines, issues);
  return issues.length > 0 ? { ok: false, issues: issues.sort((a, b) => a.line - b.line) } : { ok: true, rows };
}

function tooManyRows(count: number): LedgerImportIssue {
  return { line: 0, field: "", message: `The input has ${count.toLocaleString("en-US")} accounts; at most ${LEDGER_IMPORT_MAX_ROWS.toLocaleString("en-US")} can be loaded at once.` };
}

interface CsvRecord {
  record: string[];
  info: { lines: number; empty_lines: number };
}

/** Parses and checks a CSV ledger. Never throws for bad input: every problem comes back as an issue. */
export function parseLedgerCsv(text: string): LedgerParse {
  let parsed: CsvRecord[];
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ["\r\n", "\n", "\r"],
    }) as unknown as CsvRecord[];
  } catch (error) {
    // Quoting broken beyond repair (an unclosed or stray quote): csv-parse stops there, so this is the only issue.
    const line = typeof (error as { lines?: unknown }).lines === "number" ? (error as { lines: number }).lines : 0;
    const message = error instanceof Error ? error.message.replace(/ at line \d+/, "") : "The file is not valid CSV";
    return { ok: false, issues: [{ line, field: "", message: `Not valid CSV: ${message}` }] };
  }
  const [header, ...body] = parsed;
  if (!header) return { ok: false, issues: [{ line: 1, field: "", message: `The file is empty; its first line must be the header ${LEDGER_FIELDS.join(",")}` }] };

  const columns = header.record.map((name) => name.trim().toLowerCase());
  const missing = LEDGER_FIELDS.filter((field) => !columns.includes(field));
  const unknown = columns.filter((name) => !(LEDGER_FIELDS as readonly string[]).includes(name));
  const repeated = columns.filter((name, index) => columns.indexOf(name) !== index);
  if (missing.length > 0 || unknown.length > 0 || repeated.length > 0) {
    const problems = [
      missing.length > 0 ? `missing ${missing.join(", ")}` : null,
      unknown.length > 0 ? `unknown ${unknown.map((name) => JSON.stringify(name)).join(", ")}` : null,
      repeated.length > 0 ? `repeated ${repeated.join(", ")}` : null,
    ].filter(Boolean);
    return { ok: false, issues: [{ line: header.info.lines, field: "", message: `The header must name the columns ${LEDGER_FIELDS.join(",")} (${problems.join("; ")})` }] };
  }
  if (body.length === 0) return { ok: false, issues: [{ line: header.info.lines, field: "", message: "The file has a header but no accounts" }] };
  if (body.length > LEDGER_IMPORT_MAX_ROWS) return { ok: false, issues: [tooManyRows(body.length)] };

  const issues: LedgerImportIssue[] = [];
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  let previous = header;
  for (const entry of body) {
    // A record starts after the previous one ends and the empty lines skipped since; a quoted field may span lines.
    const line = previous.info.lines + 1 + (entry.info.empty_lines - previous.info.empty_lines);
    previous = entry;
    if (entry.record.length !== columns.length) {
      issues.push({ line, field: "", message: `Expected ${columns.length} fields, found ${entry.record.length}` });
      continue;
    }
    records.push(Object.fromEntries(columns.map((name, index) => [name, entry.record[index]])));
    lines.push(line);
  }
  return checked(records, lines, issues);
}

/** Checks a JSON ledger: an array of {code, name, type, balance, as_of}. */
export function parseLedgerJson(value: unknown): LedgerParse {
  if (!Array.isArray(value)) return { ok: false, issues: [{ line: 0, field: "", message: "The body must be a JSON array of accounts: [{code, name, type, balance, as_of}, …]" }] };
  if (value.length === 0) return { ok: false, issues: [{ line: 0, field: "", message: "The array has no accounts" }] };
  if (value.length > LEDGER_IMPORT_MAX_ROWS) return { ok: false, issues: [tooManyRows(value.length)] };
  const issues: LedgerImportIssue[] = [];
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      issues.push({ line: index + 1, field: "", message: "Each account must be an object" });
      return;
    }
    const unknown = Object.keys(item).filter((key) => !(LEDGER_FIELDS as readonly string[]).includes(key));
    if (unknown.length > 0) issues.push({ line: index + 1, field: "", message: `Unknown field ${unknown.map((key) => JSON.stringify(key)).join(", ")}` });
    records.push(item as Record<string, unknown>);
    lines.push(index + 1);
  });
  return checked(records, lines, issues);
}
