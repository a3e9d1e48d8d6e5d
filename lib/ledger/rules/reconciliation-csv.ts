import { stringify } from "csv-stringify/sync";
import { neutraliseFormula } from "@/lib/logs/columns";
import type { LineDraft, ReconciliationTotals } from "./reconciliation-lines";

// A reconciliation as the CSV an accountant downloads: one column list, RFC 4180 with CRLF, and text cells whose
// first character a spreadsheet would run as a formula neutralised (names and explanations are typed by users).
// After the totals, the close's basis (issue 17 point 4): one BASIS row per fact of the QuickBooks report the
// QuickBooks side was read from (which company, the report, its dates, accounting method, when it was read, Intuit's
// transaction id), so that an auditor can ask Intuit for the same report.

export const RECONCILIATION_CSV_COLUMNS = ["code", "name", "qbo_account_id", "qbo_account_name", "awra_balance", "qbo_balance", "difference", "explanation", "explained_at"] as const;

export type CsvLine = Omit<LineDraft, "ledgerAccountId"> & { explanation: string | null; explainedAt: Date | null };

/** What the QuickBooks side of a reconciliation was read from; null dates on reconciliations made before it was kept. */
export interface CsvBasis {
  environment: string;
  realmId: string;
  reportStartDate: string | null;
  reportEndDate: string | null;
  accountingMethod: string | null;
  reportReadAt: Date | null;
  reportIntuitTid: string | null;
}

/** The BASIS rows: none for a reconciliation without a report (made from a sync's CurrentBalance, before issue 17). */
export function basisRows(basis: CsvBasis | undefined): string[][] {
  if (!basis?.reportEndDate) return [];
  const facts: [string, string][] = [
    ["report", "TrialBalance"],
    ["environment", basis.environment],
    ["realm_id", basis.realmId],
    ["start_date", basis.reportStartDate ?? ""],
    ["end_date", basis.reportEndDate],
    ["accounting_method", basis.accountingMethod ?? ""],
    ["read_at", basis.reportReadAt?.toISOString() ?? ""],
    ["intuit_tid", basis.reportIntuitTid ?? ""],
  ];
  const padding = RECONCILIATION_CSV_COLUMNS.length - 3;
  return facts.map(([name, value]) => ["BASIS", name, neutraliseFormula(value), ...Array<string>(padding).fill("")]);
}

/** The reconciliation as CSV: a header, one row per line, a totals row, the basis rows; formula-like cells neutralised. */
export function reconciliationCsv(read: { lines: readonly CsvLine[]; totals: Pick<ReconciliationTotals, "awra" | "qbo" | "difference">; reconciliation?: CsvBasis }): string {
  const cell = (value: string | null) => (value === null ? "" : neutraliseFormula(value));
  const rows = read.lines.map((l) => [
    cell(l.code),
    cell(l.name),
    cell(l.qboAccountId),
    cell(l.qboAccountName),
    l.awraBalance,
    l.qboBalance ?? "",
    l.difference,
    cell(l.explanation),
    l.explainedAt?.toISOString() ?? "",
  ]);
  rows.push(["TOTAL", "", "", "", read.totals.awra, read.totals.qbo, read.totals.difference, "", ""]);
  rows.push(...basisRows(read.reconciliation));
  return stringify([[...RECONCILIATION_CSV_COLUMNS], ...rows], { eof: true, record_delimiter: "\r\n" });
}
