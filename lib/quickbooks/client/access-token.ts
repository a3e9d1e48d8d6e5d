import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { AuthorizationServer } from "oauth4webapi";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding, revocationTokenBinding, type ConnectionTokenColumn } from "@/lib/crypto/token-binding";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { IntuitOAuthError, refreshAccessToken, type IntuitTokenSet } from "@/lib/intuit/oauth";
import { revokeToken } from "@/lib/intuit/revoke";
import { recordTokenRenewal } from "@/lib/metrics/record";
import { notConnected, reauthorizationRequired } from "../errors";
import { canTransition } from "../rules/connection-state";
import { tokenExpiries } from "../rules/token-expiries";
import { decideRenewal, hasTimeLeft, mayResendRefresh } from "../rules/token-renewal";
import { lockConnection, transitionConnection, type ConnectionRow } from "../store/connections";
import type { RefreshTrigger } from "../store/refresh-log";
import { authorizationServerFor } from "./authorization-server";
import type { IntuitApp } from "./intuit-app";
import { keepLeaseAlive, leaseWaiter, releaseRenewalLease, renewalStillBusy, takeRenewalLease } from "./renewal-lease";
import { settleRenewal, type IntuitAnswer, type RenewalStep, type RenewResult, type UsableToken } from "./renewal-settlement";
import { withRenewalSlot } from "./renewal-slots";
import { INTUIT_RETRY, withRetry, type RetryPolicy } from "./retry";
import { describeError } from "@/lib/describe-error";

export type { RenewResult, UsableToken } from "./renewal-settlement";

/**
 * The only module that opens stored tokens (access, refresh, and the copy kept for a revocation): every QuickBooks
 * API call gets its access token here, and every token Intuit hands over is sealed here, bound to its row and column
 * (lib/crypto/token-binding.ts), before it is stored.
 *
 * A renewal is single-flight across processes without holding a database connection while Intuit answers:
 * 1. a short transaction locks the connection row, decides again on it (decideRenewal: another process may have
 *    renewed meanwhile) and takes the row's renewal lease (renewal-lease.ts); a caller that finds another renewal's
 *    live lease waits for it, polling with backoff, and decides again once it is gone;
 * 2. Intuit is asked with no connection held, the lease kept alive by a heartbeat;
 * 3. a second short transaction stores the rotated pair only if the row still holds the refresh token that was sent,
 *    and otherwise drops or revokes it (renewal-settlement.ts, rules in token-renewal.ts).
 * Within one process, callers of the same connection share one promise (50 callers make one lease and one call), and
 * every renewal, whatever its trigger, takes one of the process's renewal slots (renewal-slots.ts).
 */

/** `last_used_at` is written at most this often, to keep a write off every API call. */
const USE_STAMP_INTERVAL_MS = 5 * 60 * 1000;
/**
 * `proven_at` likewise: the re-verify waits a day and an hour without a proof (lib/usage/rules/governor.ts), so a
 * stamp up to an hour old changes nothing.
 */
export const PROOF_STAMP_INTERVAL_MS = 60 * 60 * 1000;

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
   * in-flight promise with interactive callers: they wait for their lease instead.
   */
  dueCheck?: (row: ConnectionRow, now: Date) => boolean;
}

type RowKey = { tenantId: string; id: string };

/** The token columns of a fresh token set, sealed and bound to the connection's row: what the callback and every renewal store. */
export function sealTokenSet(tokens: IntuitTokenSet, receivedAt: Date, connection: RowKey) {
  return {
    accessTokenEnc: tokenCipher().encrypt(tokens.accessToken, connectionTokenBinding(connection, "access_token_enc")),
    refreshTokenEnc: tokenCipher().encrypt(tokens.refreshToken, connectionTokenBinding(connection, "refresh_token_enc")),
    ...tokenExpiries(tokens, receivedAt),
  };
}

function openColumn(row: RowKey, column: ConnectionTokenColumn, sealed: string): string {
  return tokenCipher().decrypt(sealed, connectionTokenBinding(row, column));
}

function openToken(row: ConnectionRow): UsableToken {
  // A company the callback could not confirm yet is the one its tokens are for: Verify proves it with them.
  const realmId = row.pendingRealmId ?? row.realmId;
  if (!row.accessTokenEnc || !realmId) throw notConnected();
  return { accessToken: openColumn(row, "access_token_enc", row.accessTokenEnc), realmId, sealed: row.accessTokenEnc };
}

/** A grant the app lets go of: a connection's stored tokens, or a refresh token Intuit has just handed over. */
export type GrantToRevoke = { connection: RowKey & Pick<ConnectionRow, "accessTokenEnc" | "refreshTokenEnc"> } | { refreshToken: string };

/**
 * A new revocation's id and the grant's token sealed for it (bound to that token_revocations row, never copied as it
 * was stored on the connection): what queueRevocation stores. Null when the connection holds no token.
 */
export function sealForRevocation(tenantId: string, grant: GrantToRevoke): { id: string; tokenEnc: string } | null {
  const id = randomUUID();
  const to = revocationTokenBinding({ tenantId, id });
  if ("refreshToken" in grant) return { id, tokenEnc: tokenCipher().encrypt(grant.refreshToken, to) };
  const { connection } = grant;
  // Intuit revokes the whole grant with either token; the refresh token outlives the access token.
  const [column, sealed] = connection.refreshTokenEnc
    ? (["refresh_token_enc", connection.refreshTokenEnc] as const)
    : (["access_token_enc", connection.accessTokenEnc] as const);
  if (!sealed) return null;
  return { id, tokenEnc: tokenCipher().reseal(sealed, connectionTokenBinding(connection, column), to) };
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
  return (await usableTokenOf(options)).token;
}

/** The token, and the connection row it was read from (callWithAccessToken stamps its proof from it). */
async function usableTokenOf(options: TokenRequestOptions): Promise<{ token: UsableToken; row: ConnectionRow }> {
  const now = (options.now ?? (() => new Date()))();
  const [row] = await db()
    .select()
    .from(quickbooksConnections)
    .where(and(eq(quickbooksConnections.tenantId, options.tenantId), eq(quickbooksConnections.environment, options.app.environment)));
  const stored = row ?? null;
  assertUsable(stored);
  if (!options.background) await stampUse(stored, now);
  if (hasTimeLeft(stored, now)) return { token: openToken(stored), row: stored };
  return { token: (await renewAccessToken({ ...options, trigger: options.background ? "scheduled" : "on_demand" })).token, row: stored };
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
  const renewal = renewWithLease(options).finally(() => inFlight.delete(key));
  inFlight.set(key, renewal);
  return renewal;
}

/** Decisions taken again after the row moved on under a renewal (renewal-settlement.ts): once is the rule, twice the bound. */
const MAX_DECISIONS = 3;

async function renewWithLease(options: RenewOptions): Promise<RenewResult> {
  const as = await authorizationServerFor(options.app);
  const waitForLease = leaseWaiter();
  for (let decisions = 1; ; ) {
    const step = await withRenewalSlot(() => attemptRenewal(as, options));
    if (step.kind === "done") return step.result;
    // "busy": another renewal holds the lease; wait for it to end (outside any slot), then decide again on what it left.
    if (step.kind === "again" ? ++decisions > MAX_DECISIONS : !(await waitForLease())) throw renewalStillBusy();
  }
}

/** One decision, and the renewal it calls for: lease, Intuit with no connection held, settle. */
async function attemptRenewal(as: AuthorizationServer, options: RenewOptions): Promise<RenewalStep> {
  const { tenantId, app } = options;
  const clock = options.now ?? (() => new Date());
  const started = performance.now();
  let leased: { row: UsableRow; leaseId: string } | null = null;
  try {
    const lease = await takeRenewalLease(tenantId, app.environment, (row) => {
      assertUsable(row);
      const now = clock();
      return decideRenewal(row, now, { force: !!options.force, refusedToken: options.refusedToken, stillDue: options.dueCheck?.(row, now) });
    });
    if (lease.kind === "busy") return lease;
    if (lease.kind === "keep") {
      const { row } = lease;
      return { kind: "done", result: { token: openToken(row), renewed: false, accessTokenExpiresAt: row.accessTokenExpiresAt, refreshTokenExpiresAt: row.refreshTokenExpiresAt } };
    }
    leased = { row: lease.row as UsableRow, leaseId: lease.leaseId };
    const sent = openColumn(leased.row, "refresh_token_enc", leased.row.refreshTokenEnc);
    const answer = await askIntuit(as, leased, sent, options);
    const step = await settleRenewal({
      ...leased,
      answer,
      renewal: { app, trigger: options.trigger, actorUserId: options.actorUserId ?? null, clock },
      holdsSentToken: (row) => !!row.refreshTokenEnc && (row.refreshTokenEnc === leased!.row.refreshTokenEnc || openColumn(row, "refresh_token_enc", row.refreshTokenEnc) === sent),
      seal: (tokens, receivedAt, row) => sealTokenSet(tokens, receivedAt, row),
      sealForRevocation: (refreshToken) => sealForRevocation(tenantId, { refreshToken }),
      startedAt: started,
    });
    // Recorded once the settling transaction has ended: the metric write never holds the row lock.
    await recordTokenRenewal({ tenantId, outcome: "tokens" in answer ? "success" : "failure", latencyMs: performance.now() - started });
    if (step.kind === "refused") throw step.error;
    return step;
  } catch (error) {
    // Not connected, reauthorization already required, or refused by Intuit (recorded above): an AppError. Anything
    // else (the database failing after Intuit answered, a bug) is a renewal that did not happen.
    if (!(error instanceof AppError)) {
      if (leased) await releaseRenewalLease(leased.row, leased.leaseId);
      await recordTokenRenewal({ tenantId, outcome: "failure", latencyMs: performance.now() - started }).catch(() => {});
    }
    throw error;
  }
}

/**
 * The token call, with the lease kept alive while it lasts. A failed call is sent again only when Intuit cannot have
 * acted on it (mayResendRefresh): after a timeout the stored pair is kept and the next renewal uses it.
 */
async function askIntuit(as: AuthorizationServer, leased: { row: UsableRow; leaseId: string }, refreshToken: string, options: RenewOptions): Promise<IntuitAnswer> {
  const { app } = options;
  const heartbeat = keepLeaseAlive(leased.row, leased.leaseId);
  try {
    const tokens = await withRetry(
      () => refreshAccessToken({ as, client: { clientId: app.clientId, clientSecret: app.clientSecret }, refreshToken, timeoutMs: options.timeoutMs }),
      mayResendRefresh,
      options.retry ?? INTUIT_RETRY,
    );
    return { tokens, sent: refreshToken };
  } catch (error) {
    if (error instanceof IntuitOAuthError) return { refused: error, sent: refreshToken };
    throw error;
  } finally {
    heartbeat.stop();
  }
}

/**
 * Runs one QuickBooks API call with a usable token. A 401 gets exactly one forced renewal and one retry, never a
 * loop; a second 401 after a successful renewal means Intuit no longer honours the grant.
 */
export async function callWithAccessToken<T>(options: Omit<TokenRequestOptions, "now">, call: (token: UsableToken) => Promise<T>): Promise<T> {
  const { token: first, row } = await usableTokenOf(options);
  try {
    const result = await call(first);
    await stampProof(row, first.realmId);
    return result;
  } catch (error) {
    if (!(error instanceof IntuitApiError) || error.kind !== "authentication") throw error;
  }
  const { token } = await renewAccessToken({ ...options, trigger: "unauthorized", force: true, refusedToken: first.sealed });
  try {
    const result = await call(token);
    await stampProof(row, token.realmId);
    return result;
  } catch (error) {
    if (error instanceof IntuitApiError && error.kind === "authentication") await requireReauthorization(options, error);
    throw error;
  }
}

/**
 * A successful call proves the connection as a Verify does: its tokens opened the company it holds. Stamped on the
 * row (proven_at) at most once per PROOF_STAMP_INTERVAL_MS, from the row the token was read from, so most calls
 * write nothing; only for the company the connection holds (a claim is proven by Verify alone), and only while the
 * row still holds it.
 */
async function stampProof(row: ConnectionRow, realmId: string): Promise<void> {
  if (row.status !== "active" || row.pendingRealmId !== null || row.realmId !== realmId) return;
  const now = new Date();
  if (row.provenAt && now.getTime() - row.provenAt.getTime() < PROOF_STAMP_INTERVAL_MS) return;
  const c = quickbooksConnections;
  try {
    await db()
      .update(c)
      .set({ provenAt: now })
      .where(
        and(
          eq(c.id, row.id),
          eq(c.tenantId, row.tenantId),
          eq(c.realmId, realmId),
          eq(c.status, "active"),
          or(isNull(c.provenAt), lt(c.provenAt, new Date(now.getTime() - PROOF_STAMP_INTERVAL_MS))),
        ),
      );
  } catch (error) {
    // The call succeeded; a missed stamp costs at most one re-verify.
    console.warn(`[quickbooks] could not stamp the connection's proof: ${describeError(error)}`);
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
 * Revokes the grant behind a sealed token kept for that purpose (a token_revocations row), retrying Intuit's passing
 * failures. Throws what Intuit or the way to it answered.
 */
export async function revokeSealedGrant(app: IntuitApp, revocation: { id: string; tenantId: string; tokenEnc: string }): Promise<{ intuitTid: string | null }> {
  const as = await authorizationServerFor(app);
  const token = tokenCipher().decrypt(revocation.tokenEnc, revocationTokenBinding(revocation));
  const passing = (error: unknown) => error instanceof IntuitOAuthError && error.retryable;
  return withRetry(() => revokeToken({ as, client: { clientId: app.clientId, clientSecret: app.clientSecret }, token }), passing, INTUIT_RETRY);
}
