import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { ledgerAccounts } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { parseLedgerCsv, parseLedgerJson } from "./rules/parse-ledger";

// Loading AWRA's chart of accounts and balances, by CSV upload or as JSON from AWRA's systems. All or nothing: every
// row is checked first (rules/parse-ledger.ts) and every problem reported with its line; one bad row and nothing is
// stored. A good file is upserted by (tenant, code) in one transaction, with its audit event.

/** The largest body POST /api/quickbooks/ledger reads (413 beyond). */
export const LEDGER_IMPORT_MAX_BYTES = 2 * 1024 * 1024;

export interface ImportLedgerOptions {
  tenantId: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  /** "csv": CSV text; "api": JSON already parsed. */
  input: { format: "csv"; text: string } | { format: "api"; json: unknown };
  meta?: RequestMeta;
}

export interface ImportLedgerResult {
  rows: number;
  created: number;
  updated: number;
  source: "csv" | "api";
}

/** Upserting in slices keeps each statement under PostgreSQL's 65,535 bind parameters. */
const UPSERT_BATCH = 1000;

/**
 * Checks the whole input, then upserts every row by (tenant, code) and records `ledger.imported`, in one transaction.
 * Throws AppError 400 `invalid_ledger` with `details` (every issue, by line) when any row is wrong; nothing is stored
 * then except the failed attempt's audit event.
 */
export async function importLedger(options: ImportLedgerOptions): Promise<ImportLedgerResult> {
  const source = options.input.format;
  const parsed = options.input.format === "csv" ? parseLedgerCsv(options.input.text) : parseLedgerJson(options.input.json);
  const audit = { tenantId: options.tenantId, actorUserId: options.actorUserId, actorApiKeyId: options.actorApiKeyId, action: "ledger.imported", target: "ledger", meta: options.meta } as const;

  if (!parsed.ok) {
    await recordAudit(db(), { ...audit, outcome: "failure", details: { source, errors: parsed.issues.length } });
    const count = parsed.issues.length;
    throw new AppError("invalid_ledger", 400, `The ledger has ${count} ${count === 1 ? "problem" : "problems"}; nothing was loaded. Correct them and load the whole file again.`, {
      details: parsed.issues,
    });
  }

  const rows = parsed.rows;
  return db().transaction(async (tx) => {
    let created = 0;
    for (let start = 0; start < rows.length; start += UPSERT_BATCH) {
      const slice = rows.slice(start, start + UPSERT_BATCH);
      const written = await tx
        .insert(ledgerAccounts)
        .values(slice.map((row) => ({ tenantId: options.tenantId, ...row, source })))
        .onConflictDoUpdate({
          target: [ledgerAccounts.tenantId, ledgerAccounts.code],
          set: {
            name: sql`excluded.name`,
            type: sql`excluded.type`,
            balance: sql`excluded.balance`,
            asOf: sql`excluded.as_of`,
            source: sql`excluded.source`,
            updatedAt: sql`now()`,
          },
        })
        // xmax is 0 for a row this statement inserted, and set for one it updated.
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      created += written.filter((row) => row.inserted).length;
    }
    const result = { rows: rows.length, created, updated: rows.length - created, source };
    await recordAudit(tx, { ...audit, outcome: "success", details: result });
    return result;
  });
}
