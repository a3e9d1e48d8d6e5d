import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { syncRuns } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { syncRefused } from "./errors";
import { productionSyncBlocker } from "./rules/production-sync-blocker";
import { mappingsInCompany, productionCoverage } from "./rules/resolve-in-production";
import { mappingFingerprint } from "./rules/validate-mappings";
import { activeConnectionFor, type ChartConnection } from "./store/active-connection";
import { readMappingSet } from "./store/mapping-set";
import { latestValidation } from "./store/mapping-validations";
import type { SyncRun } from "./store/sync-runs";

/** Changes-only runs look back a little before the last success, in case a change landed during it. */
const CHANGES_OVERLAP_MS = 5 * 60 * 1000;

export interface RequestSyncOptions {
  tenantId: string;
  /** The tenant's chosen environment by default. */
  environment?: IntuitEnvironment;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/**
 * Queues a sync of the tenant's connection: full the first time, changes only after a success. One at a time per
 * connection; production only after the sandbox validated the current mappings.
 */
export async function requestSync(input: RequestSyncOptions): Promise<SyncRun> {
  const connection = await activeConnectionFor(input.tenantId, input.environment);
  const target = `quickbooks:${connection.environment}:${connection.realmId}`;
  if (connection.environment === "production") {
    const blocker = productionSyncBlocker(await latestValidation(input.tenantId, "sandbox"), productionCoverage(await readMappingSet(input.tenantId), connection.realmId));
    if (blocker) {
      await recordAudit(db(), { tenantId: input.tenantId, actorUserId: input.actorUserId, action: "sync.refused", target, outcome: "failure", details: { reason: blocker }, meta: input.meta });
      throw syncRefused(blocker);
    }
  }
  const lastSuccess = await lastSuccessStart(connection);
  const fingerprint = mappingFingerprint(mappingsInCompany(await readMappingSet(input.tenantId), connection.environment, connection.realmId));
  return db().transaction(async (tx) => {
    const [run] = await tx
      .insert(syncRuns)
      .values({
        tenantId: input.tenantId,
        environment: connection.environment,
        realmId: connection.realmId,
        mode: lastSuccess ? "changes" : "full",
        changedSince: lastSuccess ? new Date(lastSuccess.getTime() - CHANGES_OVERLAP_MS) : null,
        mappingFingerprint: fingerprint,
        requestedByUserId: input.actorUserId,
      })
      // sync_runs_one_active_uq: one queued or running sync per tenant and environment.
      .onConflictDoNothing()
      .returning();
    if (!run) throw new AppError("sync_in_progress", 409, "A sync of this connection is already queued or running. Its progress is shown on the page.");
    await recordAudit(tx, { tenantId: input.tenantId, actorUserId: input.actorUserId, action: "sync.requested", target, outcome: "success", details: { runId: run.id, mode: run.mode }, meta: input.meta });
    return run;
  });
}

/** When the connection's latest successful sync started, or null when it never had one. */
async function lastSuccessStart(connection: ChartConnection): Promise<Date | null> {
  const [lastSuccess] = await db()
    .select({ startedAt: syncRuns.startedAt })
    .from(syncRuns)
    .where(and(eq(syncRuns.tenantId, connection.tenantId), eq(syncRuns.environment, connection.environment), eq(syncRuns.realmId, connection.realmId), eq(syncRuns.status, "succeeded")))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return lastSuccess?.startedAt ?? null;
}
