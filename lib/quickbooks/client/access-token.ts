import "server-only";
import { and, eq, lt, or, isNull } from "drizzle-orm";
import type { AuthorizationServer } from "oauth4webapi";
import { db, type Transaction } from "@/db/index";
import { quickbooksConnections } from "@/db/schema/index";
import { recordAudit } from "@/lib/audit/record";
import { tokenCipher } from "@/lib/crypto/cipher";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { IntuitOAuthError, refreshAccessToken, type IntuitTokenSet } from "@/lib/intuit/oauth";
import { recordTokenRenewal } from "@/lib/metrics/record";
import { authorizationServerFor } from "./authorization-server";
import { lockConnection, recordConnectionError, type ConnectionRow } from "../store/connections";
import type { IntuitApp } from "./intuit-app";
import { oauthFailureCode } from "./intuit-errors";
import { writeRefreshLog, type RefreshTrigger } from "../store/refresh-log";
import { INTUIT_RETRY, withRetry, type RetryPolicy } from "./retry";
import { tokenExpiries } from "../rules/token-expiries";

/**
 * The only module that opens stored tokens: every QuickBooks API call gets its access token here.
 *
 * A refresh is single-flight across processes: it runs in one transaction holding a row lock on the connection
 * (SELECT … FOR UPDATE), re-reads the row after taking the lock (another process may have refreshed while this one
 * waited), calls Intuit, and commits the rotated refresh token and the new expiry times before the lock is released.
 * Within one process, callers of the same connection share one promise, so 50 callers make one lock and one call.
 */

/** Refresh when less than this is left of the access token. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
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
   * Scheduled renewals: evaluated on the row re-read under the lock. When it says the connection is no longer due
   * (another instance's sweep renewed it while this one waited) and the stored token still has time left, the stored
   * token is kept and Intuit is not called, even with force. Such calls never share an in-flight promise with
   * interactive callers: they serialise with them on the row lock instead.
   */
  dueCheck?: (row: ConnectionRow, now: Date) => boolean;
}

export interface RenewResult {
  token: UsableToken;
  renewed: boolean;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

export function notConnected(): AppError {
  return new AppError("not_connected", 409, "This tenant has no QuickBooks connection. Click “Connect to QuickBooks” first.");
}

export function reauthorizationRequired(): AppError {
  return new AppError(
    "reauthorization_required",
    409,
    "QuickBooks no longer accepts this connection (it was disconnected in QuickBooks or its authorization expired). Reconnect to QuickBooks.",
  );
}

function hasTimeLeft(row: ConnectionRow, now: Date): boolean {
  return !!row.accessTokenExpiresAt && row.accessTokenExpiresAt.getTime() - now.getTime() > REFRESH_MARGIN_MS;
}

function openToken(row: ConnectionRow): UsableToken {
  if (!row.accessTokenEnc || !row.realmId) throw notConnected();
  return { accessToken: tokenCipher().decrypt(row.accessTokenEnc), realmId: row.realmId, sealed: row.accessTokenEnc };
}

function assertUsable(row: ConnectionRow | null): asserts row is ConnectionRow & { accessTokenEnc: string; refreshTokenEnc: string } {
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
  assertUsable(row ?? null);
  if (!options.background) await stampUse(row!, now);
  if (hasTimeLeft(row!, now)) return openToken(row!);
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

  const attempt = await db().transaction(async (tx): Promise<Attempt> => {
    const row = await lockConnection(tx, tenantId, app.environment);
    assertUsable(row);
    const now = clock();
    const kept = (): Attempt => ({
      kind: "kept",
      result: { token: openToken(row), renewed: false, accessTokenExpiresAt: row.accessTokenExpiresAt, refreshTokenExpiresAt: row.refreshTokenExpiresAt },
    });
    // A scheduled renewal that another instance has already done: nothing left to do.
    if (options.dueCheck && !options.dueCheck(row, now) && hasTimeLeft(row, now)) return kept();
    // Another caller renewed while this one waited for the lock: use its token.
    if (!options.force && hasTimeLeft(row, now)) return kept();
    if (options.force && options.refusedToken && row.accessTokenEnc !== options.refusedToken && hasTimeLeft(row, now)) return kept();
    return refreshLocked(tx, row, as, options);
  }).catch(async (error: unknown) => {
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

type LockedRow = ConnectionRow & { accessTokenEnc: string; refreshTokenEnc: string };

async function refreshLocked(tx: Transaction, row: LockedRow, as: AuthorizationServer, options: RenewOptions): Promise<Attempt> {
  const { tenantId, app } = options;
  const started = performance.now();
  const clock = options.now ?? (() => new Date());
  const client = { clientId: app.clientId, clientSecret: app.clientSecret };
  const target = `quickbooks:${app.environment}:${row.realmId}`;
  const callIntuit = (refreshToken: string) =>
    withRetry(
      () => refreshAccessToken({ as, client, refreshToken, timeoutMs: options.timeoutMs }),
      (error) => error instanceof IntuitOAuthError && error.retryable,
      options.retry ?? INTUIT_RETRY,
    );

  let usedRefreshToken = row.refreshTokenEnc;
  let tokens: IntuitTokenSet;
  try {
    try {
      tokens = await callIntuit(tokenCipher().decrypt(usedRefreshToken));
    } catch (error) {
      if (!(error instanceof IntuitOAuthError) || error.code !== "invalid_grant") throw error;
      // Refused: re-read the stored tokens, as another writer may have stored a newer pair; retry once with it.
      const [current] = await tx.select().from(quickbooksConnections).where(eq(quickbooksConnections.id, row.id));
      if (!current?.refreshTokenEnc || current.refreshTokenEnc === usedRefreshToken) throw error;
      usedRefreshToken = current.refreshTokenEnc;
      tokens = await callIntuit(tokenCipher().decrypt(usedRefreshToken));
    }
  } catch (error) {
    if (!(error instanceof IntuitOAuthError)) throw error;
    return { kind: "failed", error: await recordRefreshFailure(tx, row, error, options, performance.now() - started) };
  }

  const receivedAt = clock();
  const expiries = tokenExpiries(tokens, receivedAt);
  const rotated = tokens.refreshToken !== tokenCipher().decrypt(usedRefreshToken);
  const sealedAccess = tokenCipher().encrypt(tokens.accessToken);
  // Commit the new pair before anyone uses it: the lock is held until this transaction ends.
  await tx
    .update(quickbooksConnections)
    .set({
      accessTokenEnc: sealedAccess,
      refreshTokenEnc: tokenCipher().encrypt(tokens.refreshToken),
      ...expiries,
      lastRefreshedAt: receivedAt,
      updatedAt: receivedAt,
      // A renewal that works resolves an earlier renewal failure.
      ...(row.lastErrorStep === "refresh" ? { lastErrorStep: null, lastErrorCode: null, lastErrorMessage: null, lastErrorAt: null } : {}),
    })
    .where(and(eq(quickbooksConnections.id, row.id), eq(quickbooksConnections.tenantId, tenantId)));
  await writeRefreshLog(tx, {
    tenantId,
    connectionId: row.id,
    environment: app.environment,
    realmId: row.realmId,
    trigger: options.trigger,
    outcome: "success",
    errorCode: null,
    message: rotated ? "Access token renewed; Intuit rotated the refresh token and the new one is stored." : "Access token renewed.",
    intuitTid: tokens.intuitTid,
    oldAccessExpiresAt: row.accessTokenExpiresAt,
    newAccessExpiresAt: expiries.accessTokenExpiresAt,
    oldRefreshExpiresAt: row.refreshTokenExpiresAt,
    newRefreshExpiresAt: expiries.refreshTokenExpiresAt,
    refreshTokenRotated: rotated,
    durationMs: performance.now() - started,
  });
  await recordAudit(tx, {
    tenantId,
    actorUserId: options.actorUserId ?? null,
    action: rotated ? "token.rotated" : "token.refreshed",
    target,
    outcome: "success",
    details: { trigger: options.trigger, intuitTid: tokens.intuitTid, accessTokenExpiresAt: expiries.accessTokenExpiresAt.toISOString() },
  });
  return {
    kind: "renewed",
    result: {
      token: { accessToken: tokens.accessToken, realmId: row.realmId ?? "", sealed: sealedAccess },
      renewed: true,
      accessTokenExpiresAt: expiries.accessTokenExpiresAt,
      refreshTokenExpiresAt: expiries.refreshTokenExpiresAt,
    },
  };
}

/** Logs a failed renewal and, when Intuit refused the grant itself, flags the connection for reauthorization. */
async function recordRefreshFailure(tx: Transaction, row: LockedRow, error: IntuitOAuthError, options: RenewOptions, durationMs: number): Promise<AppError> {
  const { tenantId, app } = options;
  const code = oauthFailureCode(error);
  const now = (options.now ?? (() => new Date()))();
  const appError =
    code === "invalid_grant"
      ? reauthorizationRequired()
      : code === "invalid_client"
        ? new AppError("invalid_client", 502, "Intuit refused the app's client id or secret while renewing the token. An admin should check the Intuit credentials.")
        : new AppError("intuit_unavailable", 503, "Intuit could not renew the token right now; the stored tokens are unchanged. Try again in a few minutes.");

  if (code === "invalid_grant" || code === "invalid_client") {
    await recordConnectionError(tx, { id: row.id, tenantId }, {
      step: "refresh",
      code,
      message:
        code === "invalid_grant"
          ? "Reauthorization required: QuickBooks refused the refresh token (disconnected in QuickBooks, or expired). Reconnect."
          : appError.userMessage,
      at: now,
      reauthorize: code === "invalid_grant",
    });
  }
  await writeRefreshLog(tx, {
    tenantId,
    connectionId: row.id,
    environment: app.environment,
    realmId: row.realmId,
    trigger: options.trigger,
    outcome: "failure",
    errorCode: code,
    message: appError.userMessage,
    intuitTid: error.intuitTid,
    oldAccessExpiresAt: row.accessTokenExpiresAt,
    newAccessExpiresAt: null,
    oldRefreshExpiresAt: row.refreshTokenExpiresAt,
    newRefreshExpiresAt: null,
    refreshTokenRotated: false,
    durationMs,
  });
  await recordAudit(tx, {
    tenantId,
    actorUserId: options.actorUserId ?? null,
    action: "token.refresh_failed",
    target: `quickbooks:${app.environment}:${row.realmId}`,
    outcome: "failure",
    details: { trigger: options.trigger, code, intuitTid: error.intuitTid },
  });
  return appError;
}

/**
 * Runs one QuickBooks API call with a usable token. A 401 gets exactly one forced renewal and one retry, never a
 * loop; a second 401 after a successful renewal means Intuit no longer honours the grant.
 */
export async function callWithAccessToken<T>(
  options: Omit<TokenRequestOptions, "now">,
  call: (token: UsableToken) => Promise<T>,
): Promise<T> {
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
    if (error instanceof IntuitApiError && error.kind === "authentication") await markReauthorizationRequired(options, error);
    throw error;
  }
}

async function markReauthorizationRequired(options: { tenantId: string; app: IntuitApp; actorUserId?: string | null }, error: IntuitApiError): Promise<void> {
  const now = new Date();
  await db().transaction(async (tx) => {
    const row = await lockConnection(tx, options.tenantId, options.app.environment);
    if (!row || row.status === "disconnected") return;
    await recordConnectionError(tx, row, {
      step: "refresh",
      code: "unauthorized_after_refresh",
      message: "Reauthorization required: QuickBooks refused a freshly renewed token. Reconnect to QuickBooks.",
      at: now,
      reauthorize: true,
    });
    await recordAudit(tx, {
      tenantId: options.tenantId,
      actorUserId: options.actorUserId ?? null,
      action: "connection.reauthorization_required",
      target: `quickbooks:${options.app.environment}:${row.realmId}`,
      outcome: "failure",
      details: { intuitTid: error.intuitTid },
    });
  });
}

type AccessTokenSeal = "current_key" | "previous_key" | "unreadable";

// The status is polled many times a minute while a stored access token changes once an hour: opening it again costs
// ~50 µs of AES-GCM set-up a poll, and the outcome for the same sealed text under the same keys cannot change. The
// outcomes of the latest few hundred tokens are kept, per cipher (a key change makes a new one).
const SEAL_OUTCOMES_KEPT = 500;
const sealOutcomes = new WeakMap<object, Map<string, AccessTokenSeal>>();

/** Whether the stored access token opens, and with which key: readiness evidence, without handing out the token. */
export function inspectAccessTokenSeal(row: Pick<ConnectionRow, "accessTokenEnc">): AccessTokenSeal | null {
  if (!row.accessTokenEnc) return null;
  const cipher = tokenCipher();
  let outcomes = sealOutcomes.get(cipher);
  if (!outcomes) sealOutcomes.set(cipher, (outcomes = new Map()));
  const known = outcomes.get(row.accessTokenEnc);
  if (known) return known;
  let outcome: AccessTokenSeal;
  try {
    cipher.decrypt(row.accessTokenEnc);
    outcome = cipher.needsRotation(row.accessTokenEnc) ? "previous_key" : "current_key";
  } catch {
    outcome = "unreadable";
  }
  if (outcomes.size >= SEAL_OUTCOMES_KEPT) outcomes.delete(outcomes.keys().next().value!);
  outcomes.set(row.accessTokenEnc, outcome);
  return outcome;
}
