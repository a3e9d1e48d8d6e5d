import "server-only";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/db";
import { describeError } from "@/lib/describe-error";
import { tenantOfAppKey } from "./app-key";
import { readUsageSnapshot } from "./read-usage-snapshot";
import { decideGovernor, governorWarning, type GovernorDecision } from "./rules/governor";
import { readGovernorRow, saveGovernorDecision } from "./store/background-governor";
import { listIntuitApps } from "./store/intuit-apps";

/** How often the governor decides: the projection moves slowly, and each decision reads every app's month. */
export const GOVERN_EVERY_MS = 10 * 60 * 1000;

export interface GovernedApp {
  appKey: string;
  decision: GovernorDecision;
}

/**
 * The governor's pass over every Intuit app that is metered (lib/usage/rules/governor.ts): each app's month as it
 * stands (the usage snapshot), the next level of its background intervals, stored for the sweeps to read. A change of
 * level is never silent: it is logged and recorded in the audit trail with the numbers, and the console of every
 * tenant of the app shows it while it lasts (get-connection-status.ts). An app at the normal pace that was never
 * stretched keeps no row. One app failing does not stop the others.
 */
export async function governBackgroundReads(now: Date = new Date()): Promise<GovernedApp[]> {
  const governed: GovernedApp[] = [];
  for (const { appKey } of await listIntuitApps()) {
    try {
      const decision = await governApp(appKey, now);
      if (decision) governed.push({ appKey, decision });
    } catch (error) {
      console.error(`Governor: deciding for ${appKey} failed: ${describeError(error)}`);
    }
  }
  return governed;
}

async function governApp(appKey: string, now: Date): Promise<GovernorDecision | null> {
  const [snapshot, row] = await Promise.all([readUsageSnapshot(appKey, now), readGovernorRow(appKey)]);
  const state = row ? { level: row.level, changedAt: row.changedAt, usedAtChange: row.usedAtChange } : { level: 0, changedAt: null, usedAtChange: null };
  const decision = decideGovernor({
    now,
    month: snapshot.month,
    quota: snapshot.plan.monthlyQuota,
    budget: snapshot.background.budget,
    backgroundUsed: snapshot.background.used,
    backgroundDailyRate: snapshot.background.projection.dailyRate,
    foregroundProjected: Math.max(0, snapshot.projection.monthEnd - snapshot.background.projection.monthEnd),
    state,
  });
  if (!row && decision.level === 0) return decision;
  const figures = { quota: snapshot.plan.monthlyQuota, used: snapshot.background.used };
  await saveGovernorDecision(appKey, decision, figures, now);
  if (decision.move === "stretch" || decision.move === "relax") await announce(appKey, decision, figures);
  return decision;
}

async function announce(appKey: string, decision: GovernorDecision, figures: { quota: number; used: number }): Promise<void> {
  const text = governorWarning({ ...decision, ...figures }) ?? `Background reads are back to their normal pace (${figures.used} of ${decision.room} background reads used this month).`;
  console.warn(`Governor: ${appKey}: ${text}`);
  await recordAudit(db(), {
    tenantId: tenantOfAppKey(appKey),
    actorUserId: null,
    action: decision.move === "stretch" ? "usage.background_slowed" : "usage.background_relaxed",
    target: `intuit_app:${appKey}`,
    outcome: "success",
    details: { appKey, factor: decision.factor, level: decision.level, room: decision.room, quota: figures.quota, used: figures.used, projected: decision.projected },
  });
}
