import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import type { IntuitEnvironment } from "@/lib/env";
import { exchangeAuthorizationCode, IntuitOAuthError, type IntuitTokenSet } from "@/lib/intuit/oauth";
import { sealTokenSet } from "./client/access-token";
import { authorizationServerFor } from "./client/authorization-server";
import { intuitAppFor, type IntuitApp } from "./client/intuit-app";
import { oauthFailureCode } from "./rules/intuit-failures";
import { callbackMessage } from "./rules/messages";
import { writeCallbackLog } from "./store/callback-log";
import { lockConnection, recordConnectionError, transitionConnection } from "./store/connections";
import { consumeOAuthState, type ConnectRequest } from "./store/oauth-state";
import { verifyConnection } from "./verify-connection";

/** What Intuit's redirect carried, as the callback route parsed it; `malformed` when its query was not one. */
export type CallbackInput = { kind: "malformed" } | { kind: "answer"; state?: string; code?: string; realmId?: string; error?: string };

export type CallbackOutcome = { ok: true; code: "connected" | "verify_failed" } | { ok: false; code: string };

interface FailureContext {
  tenantId: string | null;
  environment: IntuitEnvironment | null;
  realmId: string | null;
  intuitTid?: string | null;
  /** Record the failure on the tenant's connection, so the Callback step shows it. Only for the tenant's own attempt. */
  recordOnConnection: boolean;
}

/**
 * Step 2, Callback: consume the state → exchange the code → store the tokens → verify. The state is consumed
 * atomically *before* the code is exchanged, so a callback fired twice (reload, back button) exchanges its code once:
 * a second exchange would make Intuit revoke the first tokens. Every outcome, good or bad, writes a callback log row;
 * none of them writes the code or a token.
 */
export async function completeCallback(input: CallbackInput, actor: Actor | null, meta: RequestMeta): Promise<CallbackOutcome> {
  const startedAt = performance.now();
  const now = new Date();
  const fail = (code: string, context: FailureContext) => recordFailure(code, context, { actor, meta, startedAt, now });
  const unbound: FailureContext = { tenantId: actor?.tenantId ?? null, environment: null, realmId: null, recordOnConnection: false };

  if (input.kind === "malformed") return fail("invalid_callback", unbound);
  if (!input.state) return fail("missing_state", unbound);

  // Consume first, decide after: a state is spent by the first callback that presents it, whatever follows.
  const consumed = await consumeOAuthState(input.state, actor, now);
  if (consumed.outcome !== "ok") {
    return fail(consumed.outcome, {
      tenantId: consumed.tenantId ?? unbound.tenantId,
      environment: consumed.environment,
      realmId: input.realmId ?? null,
      // A foreign state must not touch the victim's connection; an expired one is the tenant's own attempt.
      recordOnConnection: consumed.outcome === "state_expired",
    });
  }
  const request = consumed.request;
  const own: FailureContext = { tenantId: request.tenantId, environment: request.environment, realmId: input.realmId ?? null, recordOnConnection: true };
  if (input.error) return fail(input.error === "access_denied" || input.error === "invalid_scope" ? input.error : "authorization_error", own);
  if (!input.code || !input.realmId) return fail("invalid_callback", own);

  const app = await intuitAppFor(request.tenantId);
  // The tenant moved to the other environment while the consent was open: this answer is for an app it left.
  if (app.environment !== request.environment) return fail("state_expired", own);
  // Refuse a company that another tenant holds before spending the code on it.
  if (await realmHeldByAnotherTenant(app.environment, input.realmId, request.tenantId)) return fail("realm_in_use", own);

  const exchanged = await exchangeCode(app, request, input.code);
  if ("failure" in exchanged) return fail(exchanged.failure, { ...own, intuitTid: exchanged.intuitTid });
  await storeTokens(app, request, input.realmId, exchanged.tokens, { meta, startedAt });

  // A successful callback runs Verify at once; its failure shows on the Verify step, not as a failed callback.
  try {
    await verifyConnection({ tenantId: request.tenantId, actorUserId: request.userId, meta, app });
    return { ok: true, code: "connected" };
  } catch (error) {
    if (error instanceof AppError) return { ok: true, code: "verify_failed" };
    throw error;
  }
}

async function realmHeldByAnotherTenant(environment: IntuitEnvironment, realmId: string, tenantId: string): Promise<boolean> {
  const c = quickbooksConnections;
  const [holder] = await db()
    .select({ tenantId: c.tenantId })
    .from(c)
    .where(and(eq(c.environment, environment), eq(c.realmId, realmId), ne(c.status, "disconnected"), ne(c.tenantId, tenantId)));
  return !!holder;
}

async function exchangeCode(app: IntuitApp, request: ConnectRequest, code: string): Promise<{ tokens: IntuitTokenSet } | { failure: string; intuitTid: string | null }> {
  try {
    const tokens = await exchangeAuthorizationCode({
      as: await authorizationServerFor(app),
      client: { clientId: app.clientId, clientSecret: app.clientSecret },
      code,
      redirectUri: request.redirectUri,
      codeVerifier: request.codeVerifier,
    });
    return { tokens };
  } catch (error) {
    if (error instanceof IntuitOAuthError) return { failure: oauthFailureCode(error), intuitTid: error.intuitTid };
    if (error instanceof AppError) return { failure: "intuit_unavailable", intuitTid: null };
    throw error;
  }
}

/** Stores the exchanged tokens on the tenant's connection, sealed, with the callback log row, in one transaction. */
async function storeTokens(app: IntuitApp, request: ConnectRequest, realmId: string, tokens: IntuitTokenSet, context: { meta: RequestMeta; startedAt: number }) {
  const receivedAt = new Date();
  await db().transaction(async (tx) => {
    const row = await lockConnection(tx, request.tenantId, app.environment);
    if (!row) throw new Error("The connection row is missing although authorization started.");
    const sameCompany = row.realmId === realmId;
    // An active connection to the same company stays active while its new tokens are verified.
    await transitionConnection(tx, row, row.status === "active" && sameCompany ? "active" : "callback_received", "tokens_stored", {
      at: receivedAt,
      actor: { userId: request.userId },
      meta: context.meta,
      changes: {
        realmId,
        ...sealTokenSet(tokens, receivedAt),
        callbackAt: receivedAt,
        companyName: sameCompany ? row.companyName : null,
        verifiedAt: sameCompany ? row.verifiedAt : null,
        connectedAt: sameCompany ? row.connectedAt : null,
        disconnectedAt: null,
      },
      details: { intuitTid: tokens.intuitTid, realmChanged: !sameCompany && row.realmId !== null },
    });
    await writeCallbackLog(tx, {
      tenantId: request.tenantId,
      userId: request.userId,
      environment: app.environment,
      realmId,
      outcome: "success",
      errorCode: null,
      message: "Authorization code exchanged; tokens stored encrypted.",
      intuitTid: tokens.intuitTid,
      latencyMs: performance.now() - context.startedAt,
    });
  });
}

/** A failed callback: its log row, the error on the tenant's own connection, and the audit event, together. */
async function recordFailure(
  code: string,
  context: FailureContext,
  attempt: { actor: Actor | null; meta: RequestMeta; startedAt: number; now: Date },
): Promise<CallbackOutcome> {
  const message = callbackMessage(code);
  await db().transaction(async (tx) => {
    await writeCallbackLog(tx, {
      tenantId: context.tenantId,
      userId: attempt.actor?.userId ?? null,
      environment: context.environment,
      realmId: context.realmId,
      outcome: "failure",
      errorCode: code,
      message,
      intuitTid: context.intuitTid ?? null,
      latencyMs: performance.now() - attempt.startedAt,
    });
    if (context.recordOnConnection && context.tenantId && context.environment) {
      await recordConnectionError(tx, { tenantId: context.tenantId, environment: context.environment }, { step: "callback", code, message, at: attempt.now });
    }
    await recordAudit(tx, {
      tenantId: context.tenantId,
      actorUserId: attempt.actor?.userId ?? null,
      action: "connection.callback_failed",
      target: context.environment ? `quickbooks:${context.environment}` : null,
      outcome: "failure",
      details: { code, intuitTid: context.intuitTid ?? null },
      meta: attempt.meta,
    });
  });
  return { ok: false, code };
}
