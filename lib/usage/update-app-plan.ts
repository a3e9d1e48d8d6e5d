import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db } from "@/db";
import { intuitAppPlans } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { tenantOfAppKey } from "./app-key";
import { MAX_MONTHLY_QUOTA, PLAN_TIERS, tierQuota } from "./rules/plan-tiers";
import type { IntuitAppPlan } from "./store/plans";
import { appOfTenant } from "./store/intuit-apps";

export const planUpdateSchema = z
  .object({
    tier: z.enum(PLAN_TIERS),
    /** Reads a month. Optional for a named tier (its quota applies); required for custom. */
    monthlyQuota: z.number().int().min(1).max(MAX_MONTHLY_QUOTA).optional(),
    /** The day of the month (UTC) the quota's month starts on. */
    monthStartDay: z.number().int().min(1).max(28).default(1),
    /** The share of the quota the product's own background reads may spend. */
    backgroundSharePct: z.number().int().min(1).max(100).default(20),
  })
  .strict()
  .refine((plan) => plan.tier !== "custom" || plan.monthlyQuota !== undefined, { message: "A custom plan needs its monthly quota.", path: ["monthlyQuota"] });
export type PlanUpdate = z.infer<typeof planUpdateSchema>;

export interface UpdateAppPlanOptions {
  appKey: string;
  actorUserId: string;
  update: PlanUpdate;
  meta?: RequestMeta;
}

/**
 * Sets an Intuit app's plan and records the change (before and after) in the audit trail, in one transaction. The
 * quota is the tier's unless one is given (the paid tiers' figures are reported, not Intuit's own, so a plan may
 * correct them). Intuit's block of the month (reads_blocked_until) is not the plan's: it is left as it is.
 */
export async function updateAppPlan(options: UpdateAppPlanOptions): Promise<IntuitAppPlan> {
  const { appKey, update } = options;
  const monthlyQuota = update.monthlyQuota ?? tierQuota(update.tier);
  if (monthlyQuota === null) throw new AppError("invalid_request", 400, "A custom plan needs its monthly quota.");
  const values = { tier: update.tier, monthlyQuota, monthStartDay: update.monthStartDay, backgroundSharePct: update.backgroundSharePct };
  return db().transaction(async (tx) => {
    // Serialise concurrent changes of one app, so that each audit row's "before" is what its change replaced. A plan
    // nobody set yet is created with the columns' defaults first: Builder's, as readPlan reports them.
    await tx.insert(intuitAppPlans).values({ appKey }).onConflictDoNothing();
    const [before] = await tx.select().from(intuitAppPlans).where(eq(intuitAppPlans.appKey, appKey)).for("update");
    if (!before) throw new Error(`The plan row of ${appKey} is missing right after its insert`);
    const now = new Date();
    const [after] = await tx
      .update(intuitAppPlans)
      .set({ ...values, updatedAt: now, updatedByUserId: options.actorUserId })
      .where(eq(intuitAppPlans.appKey, appKey))
      .returning();
    await recordAudit(tx, {
      tenantId: tenantOfAppKey(appKey),
      actorUserId: options.actorUserId,
      action: "usage.plan_changed",
      target: `intuit_app:${appKey}`,
      outcome: "success",
      details: {
        appKey,
        tierBefore: before.tier,
        tierAfter: values.tier,
        monthlyQuotaBefore: before.monthlyQuota,
        monthlyQuotaAfter: values.monthlyQuota,
        monthStartDayBefore: before.monthStartDay,
        monthStartDayAfter: values.monthStartDay,
        backgroundSharePctBefore: before.backgroundSharePct,
        backgroundSharePctAfter: values.backgroundSharePct,
      },
      meta: options.meta,
    });
    return after!;
  });
}

/**
 * The key of the tenant's own Intuit app, whose plan its admins set: the app of its production credentials, or one
 * whose plan was set before (listIntuitApps lists it, so the page offers its form). A tenant on the platform's app
 * has no plan of its own to set: 409, since the operator's is the one that applies.
 */
export async function ownAppKeyOf(tenantId: string): Promise<string> {
  const app = await appOfTenant(tenantId);
  if (app.tenantId === null) {
    const ownKey = `tenant:${tenantId}`;
    const [planned] = await db().select({ appKey: intuitAppPlans.appKey }).from(intuitAppPlans).where(eq(intuitAppPlans.appKey, ownKey));
    if (planned) return planned.appKey;
    throw new AppError(
      "no_own_intuit_app",
      409,
      "This tenant uses the platform's Intuit app, whose plan the platform operator sets. Enter the tenant's own production Intuit app in Settings to plan it here.",
    );
  }
  return app.appKey;
}
