import { stringify } from "csv-stringify/sync";
import { neutraliseFormula } from "@/lib/logs/columns";
import type { SyncRun } from "./sync-runs";

export const SYNC_RUN_CSV_COLUMNS = ["id", "environment", "realm_id", "mode", "status", "total", "processed", "updated", "errors", "created_at", "started_at", "finished_at", "error_message"] as const;

const iso = (date: Date | null) => date?.toISOString() ?? "";

/** The run log as CSV: ISO 8601 UTC times, formula-like text neutralised. */
export function syncRunsCsv(runs: readonly SyncRun[]): string {
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
