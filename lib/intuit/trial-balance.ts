// GET /v3/company/{realmId}/reports/TrialBalance: every account's debit or credit balance as of a date, the basis of
// a month-end reconciliation (intuit.md §10). One CorePlus read replaces paging through the chart.
//
// A report is a grid, not a list of entities: a header, columns, and rows that nest in sections. It is read by the
// columns' keys, never by position; only data rows are accounts (a section's header and summary, the grand total
// included, never are); amounts are exact cents. A row that cannot be read is reported in `problems`, never dropped
// in silence, so a reconciliation built on the report can say what it could not compare.

import { z } from "zod";
import { fromCents, toCents } from "../ledger/rules/money";
import { qboRequest, type QboCallInput } from "./qbo-request";

/** The bases Intuit's reports are read on (`accounting_method`). */
export const ACCOUNTING_METHODS = ["Accrual", "Cash"] as const;
export type AccountingMethod = (typeof ACCOUNTING_METHODS)[number];

export interface TrialBalanceHeader {
  reportName: "TrialBalance";
  /** "2026-04-01": the first day of the report's range, when QuickBooks states it. */
  startPeriod: string | null;
  /** "2026-11-30": the date the balances are as of. */
  endPeriod: string;
  basis: AccountingMethod;
  /** "USD": the company's home currency. */
  currency: string | null;
  /** When QuickBooks ran the report, as it writes it ("2026-12-07T10:11:07-08:00"). */
  time: string | null;
}

/** One account of the report: its own balance (a sub-account is a row of its own, with its own id). */
export interface TrialBalanceAccount {
  accountId: string;
  /** The name as the report prints it. */
  name: string;
  debitCents: number;
  creditCents: number;
}

export interface TrialBalanceProblem {
  /** Where the row sits in the report: "Rows.Row[2].Rows.Row[0]". */
  row: string;
  /** The text of the row's account cell, when it has one. */
  name: string | null;
  message: string;
}

export interface TrialBalanceReport {
  header: TrialBalanceHeader;
  /** In the report's order, each account once. */
  accounts: TrialBalanceAccount[];
  /** Rows that could not be read as an account, and totals that do not add up. Empty when all is well. */
  problems: TrialBalanceProblem[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A report amount: "4151.74", "-12.00", "" (zero). At most 13 digits before the point, so that toCents (a float
 * multiplication, lib/ledger/rules/money.ts) is exact: below 10^13 the error of Number(text) × 100 stays under a fifth
 * of a cent, and rounding lands on the right integer. Anything else ("1,234.00", "1e3", "12.345") is a problem, not a
 * guess.
 */
const AMOUNT = /^-?\d{1,13}(?:\.\d{1,2})?$/;

const metaDataSchema = z.array(z.looseObject({ Name: z.string(), Value: z.string().optional() }));

const columnSchema = z.looseObject({
  ColTitle: z.string().optional(),
  ColType: z.string().optional(),
  MetaData: metaDataSchema.optional(),
});

const cellSchema = z.looseObject({ value: z.string().optional(), id: z.string().optional() });
const cellsSchema = z.array(cellSchema);
type Cell = z.infer<typeof cellSchema>;

/** One row, read a level at a time: its nested rows stay unknown until visited, so one odd row is one problem. */
const rowSchema = z.looseObject({
  type: z.string().optional(),
  group: z.string().optional(),
  ColData: cellsSchema.optional(),
  Header: z.looseObject({ ColData: cellsSchema.optional() }).optional(),
  Summary: z.looseObject({ ColData: cellsSchema.optional() }).optional(),
  Rows: z.looseObject({ Row: z.array(z.unknown()).optional() }).optional(),
});
type Row = z.infer<typeof rowSchema>;

const headerSchema = z.looseObject({
  ReportName: z.literal("TrialBalance"),
  StartPeriod: z.string().regex(DATE).optional(),
  EndPeriod: z.string().regex(DATE),
  ReportBasis: z.enum(["Accrual", "Cash"]),
  Currency: z.string().optional(),
  Time: z.string().optional(),
  Option: z.array(z.looseObject({ Name: z.string(), Value: z.string().optional() })).optional(),
});

type ColumnKey = "account" | "debit" | "credit";
type ColumnIndex = Record<ColumnKey, number>;

/**
 * The column's key: its `ColKey` metadata ("account", "debit", "credit"; anything else, such as a foreign-currency
 * column, is not ours). Only a column without a ColKey (older answers, and published fixtures, carry no MetaData) is
 * recognised by its type and title instead: the Account column, and the Money columns titled exactly Debit and Credit.
 */
function columnKey(column: z.infer<typeof columnSchema>): string | null {
  const colKey = column.MetaData?.find((m) => m.Name === "ColKey")?.Value;
  if (colKey !== undefined) return colKey.trim().toLowerCase();
  const type = column.ColType?.trim().toLowerCase();
  const title = column.ColTitle?.trim().toLowerCase();
  if (type === "account") return "account";
  if (type === "money" && (title === "debit" || title === "credit")) return title;
  return null;
}

/** Where the account, debit and credit cells are; a message when the columns do not say it once each. */
function columnIndex(columns: readonly z.infer<typeof columnSchema>[]): ColumnIndex | string {
  const found: Partial<ColumnIndex> = {};
  for (const [index, column] of columns.entries()) {
    const key = columnKey(column);
    if (key !== "account" && key !== "debit" && key !== "credit") continue;
    // Two debit columns: a report summarised by period, which this reader does not ask for.
    if (found[key] !== undefined) return `the report has more than one ${key} column`;
    found[key] = index;
  }
  const missing = (["account", "debit", "credit"] as const).filter((key) => found[key] === undefined);
  if (missing.length > 0) return `the report has no column for ${missing.join(", ")}`;
  return found as ColumnIndex;
}

type Amount = { cents: number } | { error: string };

/** "" is zero (QuickBooks fills one of debit and credit and leaves the other empty); a missing cell is a problem. */
function amountOf(cell: Cell | undefined, label: ColumnKey): Amount {
  if (!cell) return { error: `has no ${label} cell` };
  const text = (cell.value ?? "").trim();
  if (text === "") return { cents: 0 };
  if (!AMOUNT.test(text)) return { error: `has a ${label} amount that is not a sum of money: "${cell.value}"` };
  // + 0 turns "-0.00" into 0.
  return { cents: toCents(text) + 0 };
}

interface Walk {
  columns: ColumnIndex;
  accounts: TrialBalanceAccount[];
  seen: Set<string>;
  problems: TrialBalanceProblem[];
}

function isBlank(cells: readonly Cell[]): boolean {
  return cells.every((cell) => (cell.value ?? "").trim() === "" && (cell.id ?? "").trim() === "");
}

/** A data row: one account, or a problem. A row with nothing in any cell is a spacer and carries nothing. */
function readDataRow(walk: Walk, cells: readonly Cell[], at: string): void {
  if (isBlank(cells)) return;
  const accountCell = cells[walk.columns.account];
  const name = accountCell?.value?.trim() || null;
  const problem = (message: string): void => {
    walk.problems.push({ row: at, name, message });
  };
  const accountId = accountCell?.id?.trim();
  if (!accountId) return problem("a data row without an account id: its amounts were not read");
  const debit = amountOf(cells[walk.columns.debit], "debit");
  const credit = amountOf(cells[walk.columns.credit], "credit");
  if ("error" in debit) return problem(`account ${accountId} ${debit.error}`);
  if ("error" in credit) return problem(`account ${accountId} ${credit.error}`);
  if (walk.seen.has(accountId)) return problem(`account ${accountId} appears more than once: only its first row was read`);
  walk.seen.add(accountId);
  walk.accounts.push({ accountId, name: name ?? "", debitCents: debit.cents, creditCents: credit.cents });
}

/**
 * Visits rows depth first. Sections nest to any depth: their own rows are read, their Header (a group's title, or a
 * parent account's name) and Summary (a subtotal, or the grand total) never are.
 */
function readRows(walk: Walk, rows: readonly unknown[], path: string): void {
  for (const [index, raw] of rows.entries()) {
    const at = `${path}[${index}]`;
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      walk.problems.push({ row: at, name: null, message: "a row that is not a report row was not read" });
      continue;
    }
    const row: Row = parsed.data;
    if (row.type !== undefined && row.type !== "Data" && row.type !== "Section") {
      walk.problems.push({ row: at, name: null, message: `a row of type "${row.type}" was not read` });
      continue;
    }
    // Published answers leave `type` out of data rows; a row with cells and no Section type is data.
    if (row.ColData && row.type !== "Section") readDataRow(walk, row.ColData, at);
    if (row.Rows?.Row) readRows(walk, row.Rows.Row, `${at}.Rows.Row`);
  }
}

/**
 * The grand total (a top-level Section with a Summary and no rows of its own; group "GrandTotal" in published answers)
 * must equal the accounts read: a difference means a row was not read or was misread, and the reconciliation must not
 * look complete. Sections' subtotals are not checked: what they add up is the report's business.
 */
function checkGrandTotal(walk: Walk, rows: readonly unknown[]): void {
  for (const [index, raw] of rows.entries()) {
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success || parsed.data.type !== "Section" || !parsed.data.Summary?.ColData || parsed.data.Rows?.Row?.length) continue;
    const cells = parsed.data.Summary.ColData;
    const at = `Rows.Row[${index}].Summary`;
    for (const key of ["debit", "credit"] as const) {
      const total = amountOf(cells[walk.columns[key]], key);
      const sum = walk.accounts.reduce((s, a) => s + (key === "debit" ? a.debitCents : a.creditCents), 0);
      if ("error" in total) walk.problems.push({ row: at, name: null, message: `the report's total ${total.error}` });
      else if (total.cents !== sum) {
        walk.problems.push({ row: at, name: null, message: `the accounts read add up to ${fromCents(sum)} in ${key}, the report's total says ${fromCents(total.cents)}` });
      }
    }
  }
}

/** Intuit's TrialBalance answer, read into its header, its accounts and the problems met; fails only when unreadable. */
export const trialBalanceReportSchema = z
  .looseObject({
    Header: headerSchema,
    Columns: z.looseObject({ Column: z.array(columnSchema).optional() }).optional(),
    Rows: z.looseObject({ Row: z.array(z.unknown()).optional() }).optional(),
  })
  .transform((raw, ctx): TrialBalanceReport => {
    const header: TrialBalanceHeader = {
      reportName: raw.Header.ReportName,
      startPeriod: raw.Header.StartPeriod ?? null,
      endPeriod: raw.Header.EndPeriod,
      basis: raw.Header.ReportBasis,
      currency: raw.Header.Currency ?? null,
      time: raw.Header.Time ?? null,
    };
    const noData = raw.Header.Option?.some((o) => o.Name === "NoReportData" && o.Value?.trim().toLowerCase() === "true");
    const rows = raw.Rows?.Row ?? [];
    if (noData || rows.length === 0) return { header, accounts: [], problems: [] };
    const columns = columnIndex(raw.Columns?.Column ?? []);
    if (typeof columns === "string") {
      ctx.addIssue({ code: "custom", path: ["Columns"], message: columns });
      return z.NEVER;
    }
    const walk: Walk = { columns, accounts: [], seen: new Set(), problems: [] };
    readRows(walk, rows, "Rows.Row");
    checkGrandTotal(walk, rows);
    return { header, accounts: walk.accounts, problems: walk.problems };
  });

export type TrialBalanceParse = { ok: true; report: TrialBalanceReport } | { ok: false; message: string };

/** Reads a TrialBalance answer; an answer that is not one (wrong report, no debit column…) is a value, not a throw. */
export function parseTrialBalance(json: unknown): TrialBalanceParse {
  const parsed = trialBalanceReportSchema.safeParse(json);
  if (parsed.success) return { ok: true, report: parsed.data };
  const message = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
  return { ok: false, message };
}

export interface TrialBalanceInput extends QboCallInput {
  /** "2026-11-30": the balances are as of this day. */
  endDate: string;
  /**
   * "2026-04-01": where income and expense accounts start counting (see lib/ledger/rules/period-balances.ts,
   * reportRangeFor). Send it: without it QuickBooks picks a default range of its own.
   */
  startDate?: string;
  accountingMethod: AccountingMethod;
}

/**
 * GET /v3/company/{realmId}/reports/TrialBalance?start_date=…&end_date=…&accounting_method=…: the trial balance of a
 * range. Throws IntuitApiError for a fault, or for an answer that is not a readable TrialBalance.
 */
export async function getTrialBalance(input: TrialBalanceInput): Promise<{ report: TrialBalanceReport; intuitTid: string | null }> {
  const query: Record<string, string> = {};
  if (input.startDate !== undefined) query.start_date = input.startDate;
  query.end_date = input.endDate;
  query.accounting_method = input.accountingMethod;
  const result = await qboRequest(input, { path: "/reports/TrialBalance", query, schema: trialBalanceReportSchema });
  return { report: result.data, intuitTid: result.intuitTid };
}
