import type { ConnectionStatus } from "@/db/schema";
import type { CatchUpEvidence, CatchUpTrigger } from "@/lib/quickbooks/store/catch-up-requests";
import { stretchedIntervals } from "@/lib/usage/rules/governor";

// When the change-data-capture catch-up runs (lib/jobs/catch-up-sweep.ts): pure rules, no I/O. Webhooks announce
// changes; a catch-up costs a metered read, so it runs where there is evidence that webhooks were missed, plus a daily
// floor, never as an hourly poll of everyone. The sweep's SQL states isDueForCatchUp (a test checks they agree).

const MINUTE_MS = 60 * 1000;

/**
 * The sweeps run every minute on some instance; a heartbeat older than this means none ran them: the app was down (or
 * its database was), and webhooks sent meanwhile may have been refused and given up on. A restart of a few minutes is
 * not a gap: Intuit retries a delivery after 10 s, 20 s, 30 s and 5 minutes.
 */
export const HEARTBEAT_GAP_MS = 15 * MINUTE_MS;
/**
 * Refusals we cannot prove were Intuit's (a bad or missing signature, webhooks not configured, a body too large) are
 * evidence only when no delivery was accepted meanwhile (ours, then, may be the ones refused), and then at most this
 * often: anyone can POST to the endpoint, and a stranger's junk must not buy a catch-up of every company each minute.
 */
export const UNVERIFIED_REFUSAL_COOLDOWN_MS = 6 * 60 * MINUTE_MS;

export function appWasDown(previousBeat: Date | null, now: Date): boolean {
  return previousBeat !== null && now.getTime() - previousBeat.getTime() > HEARTBEAT_GAP_MS;
}

export interface RefusedDelivery {
  /** webhook_deliveries.status of a refused delivery. */
  status: string;
  /** "valid", "invalid", "missing" or "not_checked". */
  signature: string;
}

/**
 * Whether refused deliveries are evidence of missed webhooks: "signed" when one carried Intuit's valid signature (we
 * refused Intuit's own delivery: its body or content type), "unsigned" when they may have been Intuit's (see
 * UNVERIFIED_REFUSAL_COOLDOWN_MS), null otherwise.
 */
export function refusalEvidence(refused: readonly RefusedDelivery[], acceptedMeanwhile: boolean): "signed" | "unsigned" | null {
  if (refused.some((d) => d.signature === "valid")) return "signed";
  if (refused.length > 0 && !acceptedMeanwhile) return "unsigned";
  return null;
}

/**
 * The catch-up a finished one asks for next: right away when Intuit's cap cut it short; within the hour when it found
 * changes older than a webhook takes that no webhook announced and nothing else explains them (the realm's webhooks
 * went quiet while its changes kept coming), until a catch-up finds none.
 */
export function followUpTrigger(trigger: CatchUpTrigger, result: { unannounced: number; capped: readonly string[] }): CatchUpEvidence | null {
  if (result.capped.length > 0) return "capped";
  const unexplained = trigger === "floor" || trigger === "webhooks_quiet" || trigger === "capped";
  return unexplained && result.unannounced > 0 ? "webhooks_quiet" : null;
}

export interface CatchUpFacts {
  status: ConnectionStatus;
  hasAccessToken: boolean;
  /** The connection is of the environment the tenant uses now. */
  currentEnvironment: boolean;
  catchUpRequestedAt: Date | null;
  catchUpAttemptedAt: Date | null;
  lastCatchUpAt: Date | null;
  connectedAt: Date | null;
  /** The governor's stretch factor of the connection's Intuit app (1: normal). */
  factor: number;
  /** Intuit blocks the app's reads for the rest of the month. */
  readsBlocked: boolean;
}

/**
 * Due when active, of the current environment, with reads not blocked, not attempted within the (stretched) spacing,
 * and either asked for by evidence or not caught up within the (stretched) floor, counting from the connection's
 * time when it was never caught up: webhooks flow from the moment it connects.
 */
export function isDueForCatchUp(facts: CatchUpFacts, now: Date): boolean {
  const t = now.getTime();
  const intervals = stretchedIntervals(facts.factor);
  const from = facts.lastCatchUpAt ?? facts.connectedAt;
  return (
    facts.status === "active" &&
    facts.hasAccessToken &&
    facts.currentEnvironment &&
    !facts.readsBlocked &&
    (facts.catchUpAttemptedAt === null || t - facts.catchUpAttemptedAt.getTime() >= intervals.catchUpSpacingMs) &&
    (facts.catchUpRequestedAt !== null || from === null || t - from.getTime() >= intervals.catchUpFloorMs)
  );
}
