import { stringify } from "csv-stringify/sync";
import { neutraliseFormula } from "@/lib/logs/columns";
import type { LineDraft, ReconciliationTotals } from "./reconciliation-lines";

// A reconciliation as the CSV an accountant downloads: one column list, RFC 4180 with CRLF, and text cells whose
// first character a spreadsheet would run as a formula neutralised (names and explanations are typed by users).

export const RECONCILIATION_CSV_COLUMNS = ["code", "name", "qbo_account_id", "qbo_account_name", "awra_balance", "qbo_balance", "difference", "explanation", "explained_at"] as const;

export type CsvLine = Omit<LineDraft, "ledgerAccountId"> & { explanation: string | null; explainedAt: Date | null };

/** The reconciliation as CSV: a header, one row per line, a totals row; formula-like cells neutralised. */
export function reconciliationCsv(read: { lines: readonly CsvLine[]; totals: Pick<ReconciliationTotals, "awra" | "qbo" | "difference"> }): string {
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
  return stringify([[...RECONCILIATION_CSV_COLUMNS], ...rows], { eof: true, record_delimiter: "\r\n" });
}
