import "server-only";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { quickbooksConnections } from "@/db/schema";

/**
 * What made a change-data-capture catch-up run (lib/jobs/catch-up-sweep.ts): evidence that webhooks were missed, or
 * the daily floor. Stored on the connection while it waits (catch_up_trigger) and once it ran (last_catch_up_trigger),
 * and counted per tenant and hour (health metric "catch_up"), so the usage page and a person debugging can say why
 * each catch-up read was spent.
 *
 * - app_down: the background jobs' heartbeat had a gap (no instance ran them): webhooks sent meanwhile may be lost.
 * - webhook_refused: the endpoint refused deliveries Intuit sent (or, with no accepted delivery meanwhile, may have).
 * - webhook_failed: an event of the tenant could not be processed and was dead-lettered.
 * - webhook_redelivered: Intuit delivered events again: it had not seen our acknowledgement.
 * - webhooks_quiet: a catch-up found changes older than a webhook takes that no webhook announced.
 * - capped: Intuit's 1,000-object cap cut the last answer short.
 * - floor: nothing else asked for one within the floor interval (daily, stretched by the governor).
 */
export const CATCH_UP_TRIGGERS = ["app_down", "webhook_refused", "webhook_failed", "webhook_redelivered", "webhooks_quiet", "capped", "floor"] as const;
export type CatchUpTrigger = (typeof CATCH_UP_TRIGGERS)[number];
/** Triggers that are evidence (all but the floor): they ask for a catch-up before the floor would. */
export type CatchUpEvidence = Exclude<CatchUpTrigger, "floor">;

export function isCatchUpTrigger(value: string | null): value is CatchUpTrigger {
  return (CATCH_UP_TRIGGERS as readonly string[]).includes(value ?? "");
}

const c = quickbooksConnections;

/**
 * Asks for a catch-up of the active connections of the given tenants (or all of them): the latest evidence's time and
 * kind are kept, and a catch-up that starts after it clears the request. Answers how many connections were asked.
 */
export async function requestCatchUp(tenants: readonly string[] | "all", trigger: CatchUpEvidence, at: Date, executor: Executor = db()): Promise<number> {
  if (tenants !== "all" && tenants.length === 0) return 0;
  const rows = await executor
    .update(c)
    .set({ catchUpRequestedAt: sql`greatest(${c.catchUpRequestedAt}, ${at.toISOString()}::timestamptz)`, catchUpTrigger: trigger })
    .where(and(eq(c.status, "active"), isNotNull(c.realmId), tenants === "all" ? undefined : inArray(c.tenantId, [...tenants])))
    .returning({ id: c.id });
  return rows.length;
}
