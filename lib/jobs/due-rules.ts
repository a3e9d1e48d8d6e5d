import type { ConnectionStatus } from "@/db/schema";

/**
 * When the background jobs act: pure rules, no I/O. The sweeps' SQL selections state the same rules (a test checks
 * they agree), and a renewal re-checks them on the connection row it has locked.
 *
 * Token renewal (renewal-sweep.ts):
 * - In use: an access token that expires within 10 minutes is renewed ahead of time when an API call asked for a
 *   token within the last 24 hours, so the next call does not wait on Intuit.
 * - Idle or not: a refresh token with less than 60 days left is renewed. Intuit's refresh token lives about 100 days,
 *   rolling, and every refresh grants a fresh lifetime, so renewing at 60 days keeps idle tenants connected with weeks
 *   of slack for an outage of Intuit or of this app.
 * - Intuit's 5-year hard cap (refresh_token_hard_expires_at) is never a reason: no refresh moves it. Once the refresh
 *   token's expiry has reached the cap, renewing again gains nothing, so the refresh-token rule stops firing.
 *
 * Revocation retries (revocation-retry-sweep.ts): see isRevocationRetryDue.
 */

export const ACCESS_TOKEN_RENEWAL_WINDOW_MS = 10 * 60 * 1000;
export const IN_USE_WINDOW_MS = 24 * 60 * 60 * 1000;
export const REFRESH_TOKEN_RENEWAL_WINDOW_MS = 60 * 24 * 60 * 60 * 1000;
/** A renewal must be able to push the refresh token's expiry out by more than this, or it is not worth a call. */
export const HARD_CAP_MARGIN_MS = 24 * 60 * 60 * 1000;
/**
 * The refresh-token rule does not fire again within this time of a renewal: should Intuit ever grant a refresh
 * token shorter than 60 days, the job renews it at most hourly instead of on every sweep.
 */
export const REFRESH_RULE_COOLDOWN_MS = 60 * 60 * 1000;

/** Statuses whose tokens the job leaves alone: the tenant has to reconnect, or chose to disconnect. */
export const NOT_RENEWED_STATUSES = ["reauthorization_required", "disconnected"] as const satisfies readonly ConnectionStatus[];

export interface RenewalFacts {
  status: ConnectionStatus;
  hasRefreshToken: boolean;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  refreshTokenHardExpiresAt: Date | null;
  lastUsedAt: Date | null;
  lastRefreshedAt: Date | null;
}

export type RenewalReason = "access_token_expiring" | "refresh_token_expiring";

/** The facts of a connection row (or any row-like object with these columns). */
export function renewalFactsOf(row: {
  status: ConnectionStatus;
  refreshTokenEnc: string | null;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  refreshTokenHardExpiresAt: Date | null;
  lastUsedAt: Date | null;
  lastRefreshedAt: Date | null;
}): RenewalFacts {
  return {
    status: row.status,
    hasRefreshToken: row.refreshTokenEnc !== null,
    accessTokenExpiresAt: row.accessTokenExpiresAt,
    refreshTokenExpiresAt: row.refreshTokenExpiresAt,
    refreshTokenHardExpiresAt: row.refreshTokenHardExpiresAt,
    lastUsedAt: row.lastUsedAt,
    lastRefreshedAt: row.lastRefreshedAt,
  };
}

function isRenewable(facts: RenewalFacts): boolean {
  return facts.hasRefreshToken && !(NOT_RENEWED_STATUSES as readonly ConnectionStatus[]).includes(facts.status);
}

/** In use, and the access token has less than 10 minutes left (or an unknown expiry). */
export function accessTokenRuleApplies(facts: RenewalFacts, now: Date): boolean {
  const t = now.getTime();
  const inUse = facts.lastUsedAt !== null && t - facts.lastUsedAt.getTime() <= IN_USE_WINDOW_MS;
  const expiring = facts.accessTokenExpiresAt === null || facts.accessTokenExpiresAt.getTime() - t < ACCESS_TOKEN_RENEWAL_WINDOW_MS;
  return inUse && expiring;
}

/** The refresh token has less than 60 days left, a renewal would extend it past the hard cap margin, and no cooldown. */
export function refreshTokenRuleApplies(facts: RenewalFacts, now: Date): boolean {
  const t = now.getTime();
  const refreshAt = facts.refreshTokenExpiresAt?.getTime() ?? null;
  const expiring = refreshAt === null || refreshAt - t < REFRESH_TOKEN_RENEWAL_WINDOW_MS;
  const hardAt = facts.refreshTokenHardExpiresAt?.getTime() ?? null;
  const extendable = hardAt === null || refreshAt === null || hardAt - refreshAt > HARD_CAP_MARGIN_MS;
  const cooledDown = facts.lastRefreshedAt === null || t - facts.lastRefreshedAt.getTime() >= REFRESH_RULE_COOLDOWN_MS;
  return expiring && extendable && cooledDown;
}

/** Why the connection is due for a scheduled renewal, or null when it is not. */
export function renewalReason(facts: RenewalFacts, now: Date): RenewalReason | null {
  if (!isRenewable(facts)) return null;
  if (accessTokenRuleApplies(facts, now)) return "access_token_expiring";
  if (refreshTokenRuleApplies(facts, now)) return "refresh_token_expiring";
  return null;
}

export function isDueForRenewal(facts: RenewalFacts, now: Date): boolean {
  return renewalReason(facts, now) !== null;
}

// ---------------------------------------------------------------- revocation retries

/** A revocation Intuit has not confirmed is retried at most this many times in all. */
export const MAX_REVOCATION_ATTEMPTS = 10;
export const REVOCATION_BACKOFF_BASE_MS = 60 * 1000;
export const REVOCATION_BACKOFF_MAX_MS = 6 * 60 * 60 * 1000;

/**
 * How long after the last attempt (or after the request, for one never attempted) the next attempt may run:
 * 1, 1, 2, 4, 8 … minutes, at most 6 hours. The first minute leaves a fresh revocation to the disconnect that
 * created it, which tries it at once.
 */
export function revocationBackoffMs(attempts: number): number {
  return Math.min(REVOCATION_BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0), REVOCATION_BACKOFF_MAX_MS);
}

export interface RevocationFacts {
  status: "pending" | "revoked" | "failed";
  hasToken: boolean;
  attempts: number;
  createdAt: Date;
  lastAttemptAt: Date | null;
}

export function isRevocationRetryDue(facts: RevocationFacts, now: Date): boolean {
  if (facts.status === "revoked" || !facts.hasToken || facts.attempts >= MAX_REVOCATION_ATTEMPTS) return false;
  const since = (facts.lastAttemptAt ?? facts.createdAt).getTime();
  return now.getTime() - since >= revocationBackoffMs(facts.attempts);
}
