import { stringify } from "csv-stringify/sync";
import { neutraliseFormula } from "@/lib/logs/columns";

// The usage page's daily figures as CSV: one column list, RFC 4180 with CRLF, each text cell neutralised against
// spreadsheet formulas like every export of the product. A row is one day, app, environment, operation and cause.

export const USAGE_CSV_COLUMNS = ["day", "app", "environment", "operation", "category", "cause", "metered", "calls"] as const;

export interface UsageCsvRow {
  day: string;
  appKey: string;
  environment: string;
  operation: string;
  category: string;
  cause: string;
  calls: number;
}

/** Metered by Intuit: production reads (CorePlus). Writes (Core) and the sandbox never are. */
export function isMetered(row: Pick<UsageCsvRow, "environment" | "category">): boolean {
  return row.environment === "production" && row.category === "coreplus";
}

export function usageCsv(rows: readonly UsageCsvRow[]): string {
  const text = (value: string) => neutraliseFormula(value);
  const lines = rows.map((r) => [r.day, text(r.appKey), r.environment, text(r.operation), text(r.category), text(r.cause), isMetered(r) ? "yes" : "no", String(r.calls)]);
  return stringify([[...USAGE_CSV_COLUMNS], ...lines], { eof: true, record_delimiter: "\r\n" });
}
