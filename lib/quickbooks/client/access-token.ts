import "server-only";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { AuthorizationServer } from "oauth4webapi";
import { db, type Transaction } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { IntuitOAuthError, refreshAccessToken, type IntuitTokenSet } from "@/lib/intuit/oauth";
import { revokeToken } from "@/lib/intuit/revoke";
import { recordTokenRenewal } from "@/lib/metrics/record";
import { notConnected, reauthorizationRequired } from "../errors";
import { canTransition } from "../rules/connection-state";
import { tokenExpiries } from "../rules/token-expiries";
import { classifyRefreshFailure, decideRenewal, hasTimeLeft } from "../rules/token-renewal";
import { lockConnection, resolvedRefreshError, transitionConnection, type ConnectionRow } from "../store/connections";
import type { RefreshTrigger } from "../store/refresh-log";
import { authorizationServerFor } from "./authorization-server";
import type { IntuitApp } from "./intuit-app";
import { recordRefreshFailure, recordRenewal, type RenewalContext } from "./renewal-records";
import { INTUIT_RETRY, withRetry, type RetryPolicy } from "./retry";

/**
 * The only module that opens stored tokens (access, refresh, and the copy kept for a revocation): every QuickBooks
 * API call gets its access token here, and every token Intuit hands over is sealed here before it is stored.
 *
 * A refresh is single-flight across processes: it runs in one transaction holding a row lock on the connection
 * (SELECT … FOR UPDATE), decides again on the row read under the lock (another process may have refreshed while this
 * one waited), calls Intuit, and commits the rotated refresh token and the new expiry times before the lock is
 * released. Every writer of the tokens takes that lock, so the row cannot change under a renewal. Within one process,
 * callers of the same connection share one promise, so 50 callers make one lock and one call.
 */

/** `last_used_at` is written at most this often, to keep a write off every API call. */
const USE_STAMP_INTERVAL_MS = 5 * 60 * 1000;

export interface UsableToken {
  accessToken: string;
  realmId: string;
  /** The sealed token, so that a 401 retry can tell whether another caller has renewed it since. */
  sealed: string;
}

export interface RenewOptions {
  tenantId: string;
  app: IntuitApp;
  trigger: RefreshTrigger;
  /** Renew even if the stored token still has time left ("Renew token", or a 401 from QuickBooks). */
  force?: boolean;
  /** With force after a 401: the sealed token that was refused. If the stored one differs, it is used instead. */
  refusedToken?: string;
  actorUserId?: string | null;
  retry?: RetryPolicy;
  /** Per call to Intuit's token endpoint; default 10 s (lib/intuit/http.ts). */
  timeoutMs?: number;
  now?: () => Date;
  /**
   * Scheduled renewals: asked again on the row read under the lock (see decideRenewal). Such calls never share an
   * in-flight promise with interactive callers: they serialise with them on the row lock instead.
   */
  dueCheck?: (row: ConnectionRow, now: Date) => boolean;
}

export interface RenewResult {
  token: UsableToken;
  renewed: boolean;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

/** The token columns of a fresh token set, sealed: what the callback and every renewal store. */
export function sealTokenSet(tokens: IntuitTokenSet, receivedAt: Date) {
  return {
    accessTokenEnc: tokenCipher().encrypt(tokens.accessToken),
    refreshTokenEnc: tokenCipher().encrypt(tokens.refreshToken),
    ...tokenExpiries(tokens, receivedAt),
  };
}

function openToken(row: ConnectionRow): UsableToken {
  if (!row.accessTokenEnc || !row.realmId) throw notConnected();
  return { accessToken: tokenCipher().decrypt(row.accessTokenEnc), realmId: row.realmId, sealed: row.accessTokenEnc };
}

type UsableRow = ConnectionRow & { accessTokenEnc: string; refreshTokenEnc: string };

function assertUsable(row: ConnectionRow | null): asserts row is UsableRow {
  if (!row || row.status === "disconnected" || !row.accessTokenEnc || !row.refreshTokenEnc) throw notConnected();
  if (row.status === "reauthorization_required") throw reauthorizationRequired();
}

/**
 * Who asks for a token. `background`: a scheduled check (the daily re-verify) rather than an API call of the
 * product. It does not stamp `last_used_at`, which would make the renewal sweep keep an idle connection's access token
 * fresh all day, and a renewal it causes is logged as scheduled.
 */
export interface TokenRequestOptions {
  tenantId: string;
  app: IntuitApp;
  actorUserId?: string | null;
  now?: () => Date;
  background?: boolean;
}

/** A usable access token for the tenant's connection: the stored one while it has time left, else a renewed one. */
export async function getUsableAccessToken(options: TokenRequestOptions): Promise<UsableToken> {
  const now = (options.now ?? (() => new Date()))();
  const [row] = await db()
    .select()
    .from(quickbooksConnections)
    .where(and(eq(quickbooksConnections.tenantId, options.tenantId), eq(quickbooksConnections.environment, options.app.environment)));
  const stored = row ?? null;
  assertUsable(stored);
  if (!options.background) await stampUse(stored, now);
  if (hasTimeLeft(stored, now)) return openToken(stored);
  return (await renewAccessToken({ ...options, trigger: options.background ? "scheduled" : "on_demand" })).token;
}

async function stampUse(row: ConnectionRow, now: Date): Promise<void> {
  if (row.lastUsedAt && now.getTime() - row.lastUsedAt.getTime() < USE_STAMP_INTERVAL_MS) return;
  await db()
    .update(quickbooksConnections)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(quickbooksConnections.id, row.id),
        or(isNull(quickbooksConnections.lastUsedAt), lt(quickbooksConnections.lastUsedAt, new Date(now.getTime() - USE_STAMP_INTERVAL_MS))),
      ),
    );
}

// Callers in this process renewing the same connection share one renewal.
const inFlight = new Map<string, Promise<RenewResult>>();

export function renewAccessToken(options: RenewOptions): Promise<RenewResult> {
  const key = `${options.tenantId}:${options.app.environment}${options.dueCheck ? ":due-check" : ""}`;
  const running = inFlight.get(key);
  if (running) return running;
  const renewal = renewUnderLock(options).finally(() => inFlight.delete(key));
  inFlight.set(key, renewal);
  return renewal;
}

type Attempt = { kind: "renewed"; result: RenewResult } | { kind: "kept"; result: RenewResult } | { kind: "failed"; error: AppError };

async function renewUnderLock(options: RenewOptions): Promise<RenewResult> {
  const { tenantId, app } = options;
  const clock = options.now ?? (() => new Date());
  const as = await authorizationServerFor(app);
  const started = performance.now();

  const attempt = await db()
    .transaction(async (tx): Promise<Attempt> => {
      const row = await lockConnection(tx, tenantId, app.environment);
      assertUsable(row);
      const now = clock();
      const decision = decideRenewal(row, now, { force: !!options.force, refusedToken: options.refusedToken, stillDue: options.dueCheck?.(row, now) });
      if (decision === "keep") {
        return {
          kind: "kept",
          result: { token: openToken(row), renewed: false, accessTokenExpiresAt: row.accessTokenExpiresAt, refreshTokenExpiresAt: row.refreshTokenExpiresAt },
        };
      }
      return refreshLocked(tx, row, as, options);
    })
    .catch(async (error: unknown) => {
      // Not connected, or reauthorization already required: no renewal was attempted. Anything else (the database
      // failing after Intuit answered, a bug) is a renewal that did not happen.
      if (!(error instanceof AppError)) await recordTokenRenewal({ tenantId, outcome: "failure", latencyMs: performance.now() - started });
      throw error;
    });

  // Recorded once the transaction has ended (and its lock is released): the metric write never holds the lock.
  if (attempt.kind !== "kept") {
    await recordTokenRenewal({ tenantId, outcome: attempt.kind === "renewed" ? "success" : "failure", latencyMs: performance.now() - started });
  }
  if (attempt.kind === "failed") throw attempt.error;
  return attempt.result;
}

async function refreshLocked(tx: Transaction, row: UsableRow, as: AuthorizationServer, options: RenewOptions): Promise<Attempt> {
  const { tenantId, app } = options;
  const started = performance.now();
  const refreshToken = tokenCipher().decrypt(row.refreshTokenEnc);
  let tokens: IntuitTokenSet;
  try {
    tokens = await withRetry(
      () => refreshAccessToken({ as, client: { clientId: app.clientId, clientSecret: app.clientSecret }, refreshToken, timeoutMs: options.timeoutMs }),
      isPassingOAuthFailure,
      options.retry ?? INTUIT_RETRY,
    );
  } catch (error) {
    if (!(error instanceof IntuitOAuthError)) throw error;
    const failure = classifyRefreshFailure(error);
    await recordRefreshFailure(tx, renewalOf(row, options), failure, error.intuitTid, performance.now() - started);
    return { kind: "failed", error: failure.error };
  }

  const receivedAt = (options.now ?? (() => new Date()))();
  const sealed = sealTokenSet(tokens, receivedAt);
  const rotated = tokens.refreshToken !== refreshToken;
  // Commit the new pair before anyone uses it: the lock is held until this transaction ends.
  await tx
    .update(quickbooksConnections)
    .set({ ...sealed, lastRefreshedAt: receivedAt, updatedAt: receivedAt, ...resolvedRefreshError(row) })
    .where(and(eq(quickbooksConnections.id, row.id), eq(quickbooksConnections.tenantId, tenantId)));
  await recordRenewal(tx, renewalOf(row, options), { tokens, sealed, rotated, durationMs: performance.now() - started });
  return {
    kind: "renewed",
    result: {
      token: { accessToken: tokens.accessToken, realmId: row.realmId ?? "", sealed: sealed.accessTokenEnc },
      renewed: true,
      accessTokenExpiresAt: sealed.accessTokenExpiresAt,
      refreshTokenExpiresAt: sealed.refreshTokenExpiresAt,
    },
  };
}

const isPassingOAuthFailure = (error: unknown) => error instanceof IntuitOAuthError && error.retryable;

function renewalOf(row: UsableRow, options: RenewOptions): RenewalContext {
  return { row, app: options.app, trigger: options.trigger, actorUserId: options.actorUserId ?? null, at: (options.now ?? (() => new Date()))() };
}

/**
 * Runs one QuickBooks API call with a usable token. A 401 gets exactly one forced renewal and one retry, never a
 * loop; a second 401 after a successful renewal means Intuit no longer honours the grant.
 */
export async function callWithAccessToken<T>(options: Omit<TokenRequestOptions, "now">, call: (token: UsableToken) => Promise<T>): Promise<T> {
  const first = await getUsableAccessToken(options);
  try {
    return await call(first);
  } catch (error) {
    if (!(error instanceof IntuitApiError) || error.kind !== "authentication") throw error;
  }
  const { token } = await renewAccessToken({ ...options, trigger: "unauthorized", force: true, refusedToken: first.sealed });
  try {
    return await call(token);
  } catch (error) {
    if (error instanceof IntuitApiError && error.kind === "authentication") await requireReauthorization(options, error);
    throw error;
  }
}

async function requireReauthorization(options: { tenantId: string; app: IntuitApp; actorUserId?: string | null }, error: IntuitApiError): Promise<void> {
  await db().transaction(async (tx) => {
    const row = await lockConnection(tx, options.tenantId, options.app.environment);
    // Disconnected (or reconnecting) since the call began: nothing left to flag.
    if (!row || !canTransition(row.status, "reauthorization_required")) return;
    await transitionConnection(tx, row, "reauthorization_required", "token_refused_after_renewal", {
      at: new Date(),
      actor: { userId: options.actorUserId ?? null },
      details: { intuitTid: error.intuitTid },
    });
  });
}

/**
 * Revokes the grant behind a sealed token kept for that purpose (after a disconnect), retrying Intuit's passing
 * failures. Throws what Intuit or the way to it answered.
 */
export async function revokeSealedGrant(app: IntuitApp, sealedToken: string): Promise<{ intuitTid: string | null }> {
  const as = await authorizationServerFor(app);
  const token = tokenCipher().decrypt(sealedToken);
  return withRetry(() => revokeToken({ as, client: { clientId: app.clientId, clientSecret: app.clientSecret }, token }), isPassingOAuthFailure, INTUIT_RETRY);
}
