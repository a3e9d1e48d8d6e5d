import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { db } from "@/db";
import { violatedUniqueConstraint } from "@/db/constraint-violation";
import { quickbooksConnections } from "@/db/schema";
import { recordFoldableAudit, type RequestMeta } from "@/lib/audit/record";
import { can } from "@/lib/auth/permissions";
import type { Actor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import type { IntuitEnvironment } from "@/lib/env";
import { exchangeAuthorizationCode, IntuitOAuthError, type IntuitTokenSet } from "@/lib/intuit/oauth";
import { authorizationServerFor } from "./client/authorization-server";
import { intuitAppFor, type IntuitApp } from "./client/intuit-app";
import { proveCompany } from "./prove-company";
import { revokeUnheldGrant } from "./revoke-unheld-grant";
import { oauthFailureCode } from "./rules/intuit-failures";
import { callbackMessage } from "./rules/messages";
import { writeCallbackLog } from "./store/callback-log";
import { recordConnectionError } from "./store/connections";
import { consumeOAuthState, type ConnectRequest } from "./store/oauth-state";
import { storeClaimedGrant, storeProvenGrant, type CallbackGrant } from "./store-callback-grant";

/** What Intuit's redirect carried, as the callback route parsed it; `malformed` when its query was not one. */
export type CallbackInput = { kind: "malformed" } | { kind: "answer"; state?: string; code?: string; realmId?: string; error?: string; iss?: string };

export type CallbackOutcome = { ok: true; code: "connected" | "verify_failed" } | { ok: false; code: string };

interface FailureContext {
  tenantId: string | null;
  environment: IntuitEnvironment | null;
  realmId: string | null;
  intuitTid?: string | null;
  /** Record the failure on the tenant's connection, so the Callback step shows it. Only for the tenant's own attempt. */
  recordOnConnection: boolean;
}

/** The realm index: one tenant per QuickBooks company and environment. */
const REALM_INDEX = "quickbooks_connections_realm_uq";

/**
 * Step 2, Callback: consume the state → exchange the code → prove the company → store. The state is consumed
 * atomically *before* the code is exchanged, so a callback fired twice (reload, back button) exchanges its code once:
 * a second exchange would make Intuit revoke the first tokens. The company in the query string is only a claim (the
 * browser carries it and can change it): CompanyInfo for it with the new tokens is Verify, and only a proven company
 * is held. Every outcome, good or bad, writes a callback log row; none of them writes the code or a token.
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
  // The role is asked again at completion: it may have changed while the consent was open at Intuit.
  if (!actor || !can(actor.role, "quickbooks.connect")) return fail("forbidden", own);

  const app = await intuitAppFor(request.tenantId);
  // The tenant moved to the other environment while the consent was open: this answer is for an app it left.
  if (app.environment !== request.environment) return fail("state_expired", own);
  // Refuse a company that another tenant holds before spending the code on it.
  if (await realmHeldByAnotherTenant(app.environment, input.realmId, request.tenantId)) return fail("realm_in_use", own);

  const exchanged = await exchangeCode(app, request, input.code, input.iss);
  if ("failure" in exchanged) return fail(exchanged.failure, { ...own, intuitTid: exchanged.intuitTid });
  const grant: CallbackGrant = { app, request, realmId: input.realmId, tokens: exchanged.tokens, meta, startedAt };
  // Tokens that will not be held are dropped; revoked only when they were refused for the company claimed. Intuit
  // revokes by company (a revocation disconnects the app from it, every grant included), so revoking tokens that are
  // for a company someone holds would disconnect that holder: the winner of a race for the company, or this tenant's
  // own connection when a reconnect could not be confirmed. Dropped tokens are never stored, so nothing can use them.
  const drop = (code: string) => fail(code, { ...own, intuitTid: exchanged.tokens.intuitTid });

  const proof = await proveCompany(app, { tenantId: request.tenantId, realmId: input.realmId, actorUserId: request.userId }, exchanged.tokens);
  if (proof.kind === "refused") return revokeGrantAndFail(grant, "realm_not_authorized", own, fail);
  if (proof.kind === "unconfirmed") {
    if (!(await storeClaimedGrant(grant, proof.error))) return drop("company_unconfirmed");
    return { ok: true, code: "verify_failed" };
  }
  try {
    await storeProvenGrant(grant, { companyInfo: proof.result.companyInfo, intuitTid: proof.result.intuitTid });
  } catch (error) {
    // Two tenants proved the same company at once: the second to commit loses it (its tokens are the same app's
    // connection to that company as the winner's, so they are dropped, not revoked).
    if (violatedUniqueConstraint(error) === REALM_INDEX) return drop("realm_in_use");
    throw error;
  }
  return { ok: true, code: "connected" };
}

/**
 * Tokens Intuit issued for another company than the one claimed (the query string was edited, or a consent mixed
 * up): revoked at Intuit (queued, so an outage is retried), and the callback fails.
 */
async function revokeGrantAndFail(grant: CallbackGrant, code: string, context: FailureContext, fail: (code: string, context: FailureContext) => Promise<CallbackOutcome>) {
  await revokeUnheldGrant({
    tenantId: grant.request.tenantId,
    environment: grant.app.environment,
    realmId: grant.realmId,
    refreshToken: grant.tokens.refreshToken,
    actorUserId: grant.request.userId,
    meta: grant.meta,
  });
  return fail(code, { ...context, intuitTid: grant.tokens.intuitTid });
}

async function realmHeldByAnotherTenant(environment: IntuitEnvironment, realmId: string, tenantId: string): Promise<boolean> {
  const c = quickbooksConnections;
  const [holder] = await db()
    .select({ tenantId: c.tenantId })
    .from(c)
    .where(and(eq(c.environment, environment), eq(c.realmId, realmId), ne(c.status, "disconnected"), ne(c.tenantId, tenantId)));
  return !!holder;
}

async function exchangeCode(
  app: IntuitApp,
  request: ConnectRequest,
  code: string,
  iss: string | undefined,
): Promise<{ tokens: IntuitTokenSet } | { failure: string; intuitTid: string | null }> {
  try {
    const tokens = await exchangeAuthorizationCode({
      as: await authorizationServerFor(app),
      client: { clientId: app.clientId, clientSecret: app.clientSecret },
      code,
      redirectUri: request.redirectUri,
      codeVerifier: request.codeVerifier,
      iss,
    });
    return { tokens };
  } catch (error) {
    if (error instanceof IntuitOAuthError) return { failure: oauthFailureCode(error), intuitTid: error.intuitTid };
    if (error instanceof AppError) return { failure: "intuit_unavailable", intuitTid: null };
    throw error;
  }
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
      sourceIp: attempt.meta.ip,
    });
    if (context.recordOnConnection && context.tenantId && context.environment) {
      await recordConnectionError(tx, { tenantId: context.tenantId, environment: context.environment }, { step: "callback", code, message, at: attempt.now });
    }
    // Anyone can call the callback: repeats from one address fold into a counted row (lib/logs/repeat-fold.ts).
    await recordFoldableAudit(tx, {
      tenantId: context.tenantId,
      actorUserId: attempt.actor?.userId ?? null,
      action: "connection.callback_failed",
      target: context.environment ? `quickbooks:${context.environment}` : null,
      outcome: "failure",
      details: { code, intuitTid: context.intuitTid ?? null },
      meta: attempt.meta,
    }, ["code", "intuitTid"]);
  });
  return { ok: false, code };
}
