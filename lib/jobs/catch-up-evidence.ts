import "server-only";
import { and, gt, lte, ne, sql } from "drizzle-orm";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { webhookDeliveries } from "@/db/schema";
import { FOLD_WINDOW_MS } from "@/lib/logs/repeat-fold";
import { requestCatchUp } from "@/lib/quickbooks/store/catch-up-requests";
import { HEARTBEAT_GAP_MS, UNVERIFIED_REFUSAL_COOLDOWN_MS, appWasDown, refusalEvidence, type RefusedDelivery } from "./rules/catch-up-rules";
import { advanceMark, claimMark } from "./store/sweep-marks";

// Evidence that webhooks were missed, gathered by the background jobs and turned into catch-up requests on the
// connections it concerns (lib/quickbooks/store/catch-up-requests.ts). A dead-lettered event asks for its tenant's
// at the moment it dies (lib/quickbooks/process-webhook-events.ts); a catch-up that finds changes no webhook announced
// asks for its own next one (catch-up-sweep.ts). The rest is here.

/**
 * The heartbeat, at the start of every sweep run: when the previous run (of any instance) is more than
 * HEARTBEAT_GAP_MS ago, nobody answered webhooks in between, so every active connection is asked for a catch-up
 * ("app_down"). The first run ever has nothing to compare with and asks for nothing.
 */
export async function noteSweepHeartbeat(now: Date): Promise<{ gapMs: number | null; requested: number }> {
  const previous = await advanceMark("sweeps", now);
  if (!previous || !appWasDown(previous, now)) return { gapMs: previous ? Math.max(0, now.getTime() - previous.getTime()) : null, requested: 0 };
  const requested = await requestCatchUp("all", "app_down", now);
  console.warn(`Background jobs did not run for ${Math.round((now.getTime() - previous.getTime()) / 60_000)} minutes: ${requested} connection(s) will be caught up.`);
  return { gapMs: now.getTime() - previous.getTime(), requested };
}

export interface WebhookEvidence {
  /** Tenants whose events Intuit delivered again. */
  redelivered: number;
  /** Refused deliveries seen, and whether they asked every connection for a catch-up. */
  refused: number;
  refusedEvidence: "signed" | "unsigned" | null;
  requested: number;
}

const d = webhookDeliveries;

/**
 * Reads the delivery log since the last read for evidence of missed webhooks:
 * - an accepted delivery holding events already stored is Intuit delivering again: it missed our acknowledgement, so
 *   its tenants are caught up ("webhook_redelivered");
 * - refused deliveries (rules/catch-up-rules.ts refusalEvidence): they name no realm we can trust, so every active
 *   connection is caught up ("webhook_refused"), for unsigned refusals at most every 6 hours.
 * The first read starts HEARTBEAT_GAP_MS back. A refused delivery's row folds its repeats for up to FOLD_WINDOW_MS
 * after its first, so those rows are read by their last repeat.
 */
export async function noteWebhookEvidence(now: Date): Promise<WebhookEvidence> {
  const from = (await advanceMark("webhook_evidence", now)) ?? new Date(now.getTime() - HEARTBEAT_GAP_MS);
  const evidence: WebhookEvidence = { redelivered: 0, refused: 0, refusedEvidence: null, requested: 0 };
  if (from >= now) return evidence;
  const since = from.toISOString();
  const until = now.toISOString();

  const tenants = rowsOf<{ tenant_id: string }>(
    await db().execute(sql`
      select distinct unnest(tenant_ids) as tenant_id from ${d}
      where status = 'accepted' and received_at > ${since}::timestamptz and received_at <= ${until}::timestamptz and new_event_count < event_count`),
  ).map((row) => row.tenant_id);
  evidence.redelivered = tenants.length;
  evidence.requested += await requestCatchUp(tenants, "webhook_redelivered", now);

  const refused: RefusedDelivery[] = await db()
    .select({ status: d.status, signature: d.signature })
    .from(d)
    .where(
      and(
        ne(d.status, "accepted"),
        gt(d.receivedAt, new Date(from.getTime() - FOLD_WINDOW_MS)),
        lte(d.receivedAt, now),
        sql`coalesce(${d.lastSeenAt}, ${d.receivedAt}) > ${since}::timestamptz`,
      ),
    );
  evidence.refused = refused.length;
  if (refused.length === 0) return evidence;
  const [accepted] = await db()
    .select({ any: sql<boolean>`true` })
    .from(d)
    .where(and(sql`${d.status} = 'accepted'`, gt(d.receivedAt, from), lte(d.receivedAt, now)))
    .limit(1);
  evidence.refusedEvidence = refusalEvidence(refused, accepted !== undefined);
  const fleetWide = evidence.refusedEvidence === "signed" || (evidence.refusedEvidence === "unsigned" && (await claimMark("webhook_refused", now, UNVERIFIED_REFUSAL_COOLDOWN_MS)));
  if (fleetWide) evidence.requested += await requestCatchUp("all", "webhook_refused", now);
  return evidence;
}
