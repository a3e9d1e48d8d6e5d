import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { ledgerAccounts, qboAccounts } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { ledgerAccountNotFound } from "./errors";
import { MAPPING_ENVIRONMENT } from "./rules/resolve-in-production";
import { readMappingSet, upsertMapping, type MappingRow } from "./store/mapping-set";

export interface SaveMappingOptions {
  tenantId: string;
  ledgerAccountId: string;
  /** null unmaps the account. */
  qboAccountId: string | null;
  allowShared?: boolean;
  /** The chart the QuickBooks account is chosen from: the sandbox by default: mappings are made there. */
  environment?: IntuitEnvironment;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/** Maps one AWRA account to a QuickBooks account known from the last fetch of the chart (or unmaps it). */
export async function saveMapping(options: SaveMappingOptions): Promise<MappingRow> {
  const environment = options.environment ?? MAPPING_ENVIRONMENT;
  return db().transaction(async (tx) => {
    const [account] = await tx
      .select()
      .from(ledgerAccounts)
      .where(and(eq(ledgerAccounts.tenantId, options.tenantId), eq(ledgerAccounts.id, options.ledgerAccountId)));
    if (!account) throw ledgerAccountNotFound();
    let chosen: { name: string; number: string | null; fqn: string | null } | null = null;
    if (options.qboAccountId !== null) {
      const [target] = await tx
        .select({ name: qboAccounts.name, number: qboAccounts.accountNumber, fqn: qboAccounts.fullyQualifiedName })
        .from(qboAccounts)
        .where(and(eq(qboAccounts.tenantId, options.tenantId), eq(qboAccounts.environment, environment), eq(qboAccounts.qboId, options.qboAccountId)));
      if (!target) throw new AppError("unknown_qbo_account", 422, "That QuickBooks account is not in the company's chart of accounts. Refresh the QuickBooks accounts and choose again.");
      chosen = target;
    }
    const target = {
      qboAccountId: options.qboAccountId,
      qboAccountName: chosen?.name ?? null,
      qboAccountNumber: chosen?.number ?? null,
      qboAccountFqn: chosen ? (chosen.fqn ?? chosen.name) : null,
      allowShared: options.allowShared ?? false,
    };
    await upsertMapping(tx, { tenantId: options.tenantId, ledgerAccountId: options.ledgerAccountId, target, actorUserId: options.actorUserId });
    await recordAudit(tx, {
      tenantId: options.tenantId,
      actorUserId: options.actorUserId,
      action: "mapping.changed",
      target: `ledger:${account.code}`,
      outcome: "success",
      details: { qboAccountId: options.qboAccountId, allowShared: target.allowShared },
      meta: options.meta,
    });
    const set = await readMappingSet(options.tenantId, tx);
    return set.find((row) => row.ledgerAccountId === options.ledgerAccountId)!;
  });
}
