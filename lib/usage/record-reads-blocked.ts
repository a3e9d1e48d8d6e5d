import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { intuitAppPlans } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { tenantOfAppKey } from "./app-key";
import { quotaMonthOf } from "./rules/quota-month";
import { DEFAULT_PLAN, readPlan } from "./store/plans";

export interface RecordReadsBlockedInput {
  appKey: string;
  /** The tenant whose read Intuit refused, and the environment it was made in. */
  tenantId: string;
  environment: IntuitEnvironment;
  /** When Intuit refused it. */
  at: Date;
  intuitTid: string | null;
}

/**
 * Intuit answered a read with its monthly block (intuit.md §9: the workspace's CorePlus quota is used up, every read is
 * refused until the next month): the app's plan says its reads are blocked until its next quota month starts (by the
 * plan's month_start_day; a row with the Builder defaults when nobody set a plan), and the audit trail says so once
 * per block, however many reads, instances and tenants meet it. Answers when reads resume.
 */
export async function recordReadsBlocked(input: RecordReadsBlockedInput): Promise<Date> {
  return db().transaction(async (tx) => {
    const plan = await readPlan(input.appKey, tx);
    const until = quotaMonthOf(input.at, plan.monthStartDay).end;
    const p = intuitAppPlans;
    // Only a later end moves it: a second refusal of the same month (another instance, another tenant) changes nothing
    // and records nothing; concurrent ones wait on the row, and the loser finds the end already set.
    const moved = await tx
      .insert(p)
      .values({ appKey: input.appKey, ...DEFAULT_PLAN, readsBlockedUntil: until })
      .onConflictDoUpdate({ target: p.appKey, set: { readsBlockedUntil: until }, setWhere: sql`${p.readsBlockedUntil} is null or ${p.readsBlockedUntil} < ${until.toISOString()}::timestamptz` })
      .returning({ appKey: p.appKey });
    if (moved.length === 0) return plan.readsBlockedUntil && plan.readsBlockedUntil > until ? plan.readsBlockedUntil : until;
    await recordAudit(tx, {
      // The tenant's own app is the tenant's business; the platform's app belongs to no tenant (the operator's).
      tenantId: tenantOfAppKey(input.appKey),
      actorUserId: null,
      action: "usage.reads_blocked",
      target: `intuit_app:${input.appKey}`,
      outcome: "failure",
      details: {
        appKey: input.appKey,
        environment: input.environment,
        until: until.toISOString(),
        monthlyQuota: plan.monthlyQuota,
        tier: plan.tier,
        refusedTenantId: input.tenantId,
        intuitTid: input.intuitTid,
      },
    });
    return until;
  });
}
