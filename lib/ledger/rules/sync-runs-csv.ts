import { stringify } from "csv-stringify/sync";
import type { syncRuns } from "@/db/schema";
import { neutraliseFormula } from "@/lib/logs/columns";

// The run log as auditors download it: one column list, RFC 4180 with CRLF, and the error message (the one free text
// of a run, possibly Intuit's words) neutralised against spreadsheet formulas.

type SyncRunRow = typeof syncRuns.$inferSelect;

export const SYNC_RUN_CSV_COLUMNS = ["id", "environment", "realm_id", "mode", "status", "total", "processed", "updated", "errors", "created_at", "started_at", "finished_at", "error_message"] as const;

const iso = (date: Date | null) => date?.toISOString() ?? "";

/** The run log as CSV: ISO 8601 UTC times, formula-like text neutralised. */
export function syncRunsCsv(runs: readonly SyncRunRow[]): string {
  const rows = runs.map((r) => [
    String(r.id),
    r.environment,
    r.realmId,
    r.mode,
    r.status,
    r.total === null ? "" : String(r.total),
    String(r.processed),
    String(r.updated),
    String(r.errors),
    iso(r.createdAt),
    iso(r.startedAt),
    iso(r.finishedAt),
    r.errorMessage === null ? "" : neutraliseFormula(r.errorMessage),
  ]);
  return stringify([[...SYNC_RUN_CSV_COLUMNS], ...rows], { eof: true, record_delimiter: "\r\n" });
}
