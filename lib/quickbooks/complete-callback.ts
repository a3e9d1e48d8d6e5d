import "server-only";
import { and, eq, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import { db } from "@/db";
import { oauthStates, quickbooksConnections } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/session";
import { tokenCipher } from "@/lib/crypto/cipher";
import { AppError } from "@/lib/errors";
import type { IntuitEnvironment } from "@/lib/env";
import { exchangeAuthorizationCode, IntuitOAuthError } from "@/lib/intuit/oauth";
import { authorizationServerFor } from "./client/authorization-server";
import { writeCallbackLog } from "./store/callback-log";
import { lockConnection } from "./store/connections";
import { intuitAppFor } from "./client/intuit-app";
import { oauthFailureCode } from "./client/intuit-errors";
import { callbackMessage } from "./rules/messages";
import { checkConsumedState, hashOAuthState } from "./store/oauth-state";
import { tokenExpiries } from "./rules/token-expiries";
import { verifyConnection } from "./verify-connection";

const callbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().min(1).max(512).optional(),
  realmId: z
    .string()
    .regex(/^\d{1,32}$/)
    .optional(),
  error: z.string().max(200).optional(),
});

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
 * Step 2, Callback. The state is consumed atomically *before* the code is exchanged, so a callback fired twice
 * (reload, back button) exchanges its code once: a second exchange would make Intuit revoke the first tokens.
 * Every outcome, good or bad, writes a callback log row; none of them writes the code or a token.
 */
export async function completeCallback(params: URLSearchParams, actor: Actor | null, meta: RequestMeta): Promise<CallbackOutcome> {
  const startedAt = performance.now();
  const now = new Date();

  const fail = async (code: string, ctx: FailureContext): Promise<CallbackOutcome> => {
    const message = callbackMessage(code);
    await db().transaction(async (tx) => {
      await writeCallbackLog(tx, {
        tenantId: ctx.tenantId,
        userId: actor?.userId ?? null,
        environment: ctx.environment,
        realmId: ctx.realmId,
        outcome: "failure",
        errorCode: code,
        message,
        intuitTid: ctx.intuitTid ?? null,
        latencyMs: performance.now() - startedAt,
      });
      if (ctx.recordOnConnection && ctx.tenantId && ctx.environment) {
        await tx
          .update(quickbooksConnections)
          .set({ lastErrorStep: "callback", lastErrorCode: code, lastErrorMessage: message, lastErrorAt: now, updatedAt: now })
          .where(and(eq(quickbooksConnections.tenantId, ctx.tenantId), eq(quickbooksConnections.environment, ctx.environment)));
      }
      await recordAudit(tx, {
        tenantId: ctx.tenantId,
        actorUserId: actor?.userId ?? null,
        action: "connection.callback_failed",
        target: ctx.environment ? `quickbooks:${ctx.environment}` : null,
        outcome: "failure",
        details: { code, intuitTid: ctx.intuitTid ?? null },
        meta,
      });
    });
    return { ok: false, code };
  };

  const parsed = callbackQuery.safeParse(Object.fromEntries(params));
  const unbound: FailureContext = { tenantId: actor?.tenantId ?? null, environment: null, realmId: null, recordOnConnection: false };
  if (!parsed.success) return fail("invalid_callback", unbound);
  const query = parsed.data;
  if (!query.state) return fail("missing_state", unbound);

  // Consume first, decide after: a state is spent by the first callback that presents it, whatever follows.
  const stateHash = hashOAuthState(query.state);
  const [consumed] = await db()
    .update(oauthStates)
    .set({ consumedAt: now })
    .where(and(eq(oauthStates.stateHash, stateHash), isNull(oauthStates.consumedAt)))
    .returning();
  if (!consumed) {
    const [seen] = await db().select({ tenantId: oauthStates.tenantId, environment: oauthStates.environment }).from(oauthStates).where(eq(oauthStates.stateHash, stateHash));
    return fail(seen ? "state_reused" : "state_unknown", {
      ...unbound,
      tenantId: seen?.tenantId ?? unbound.tenantId,
      environment: seen?.environment ?? null,
      realmId: query.realmId ?? null,
    });
  }

  const rejection = checkConsumedState(consumed, actor, now);
  const own: FailureContext = { tenantId: consumed.tenantId, environment: consumed.environment, realmId: query.realmId ?? null, recordOnConnection: true };
  // A foreign state must not touch the victim's connection; an expired one is the tenant's own attempt.
  if (rejection) return fail(rejection, { ...own, recordOnConnection: rejection === "state_expired" });
  if (query.error) return fail(query.error === "access_denied" || query.error === "invalid_scope" ? query.error : "authorization_error", own);
  if (!query.code || !query.realmId) return fail("invalid_callback", own);

  const tenantId = consumed.tenantId;
  const realmId = query.realmId;
  const app = await intuitAppFor(tenantId);
  if (app.environment !== consumed.environment) return fail("state_expired", own);

  // Refuse a company that another tenant holds before spending the code on it.
  const [holder] = await db()
    .select({ tenantId: quickbooksConnections.tenantId })
    .from(quickbooksConnections)
    .where(
      and(
        eq(quickbooksConnections.environment, app.environment),
        eq(quickbooksConnections.realmId, realmId),
        ne(quickbooksConnections.status, "disconnected"),
        ne(quickbooksConnections.tenantId, tenantId),
      ),
    );
  if (holder) return fail("realm_in_use", own);

  let tokens;
  try {
    tokens = await exchangeAuthorizationCode({
      as: await authorizationServerFor(app),
      client: { clientId: app.clientId, clientSecret: app.clientSecret },
      code: query.code,
      redirectUri: consumed.redirectUri,
      codeVerifier: consumed.codeVerifierEnc ? tokenCipher().decrypt(consumed.codeVerifierEnc) : undefined,
    });
  } catch (error) {
    if (error instanceof IntuitOAuthError) return fail(oauthFailureCode(error), { ...own, intuitTid: error.intuitTid });
    if (error instanceof AppError) return fail("intuit_unavailable", own);
    throw error;
  }

  const receivedAt = new Date();
  await db().transaction(async (tx) => {
    const row = await lockConnection(tx, tenantId, app.environment);
    if (!row) throw new Error("The connection row is missing although authorization started.");
    const sameCompany = row.realmId === realmId;
    await tx
      .update(quickbooksConnections)
      .set({
        // An active connection to the same company stays active while its new tokens are verified.
        status: row.status === "active" && sameCompany ? "active" : "callback_received",
        realmId,
        accessTokenEnc: tokenCipher().encrypt(tokens.accessToken),
        refreshTokenEnc: tokenCipher().encrypt(tokens.refreshToken),
        ...tokenExpiries(tokens, receivedAt),
        callbackAt: receivedAt,
        companyName: sameCompany ? row.companyName : null,
        verifiedAt: sameCompany ? row.verifiedAt : null,
        connectedAt: sameCompany ? row.connectedAt : null,
        disconnectedAt: null,
        lastErrorStep: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastErrorAt: null,
        updatedAt: receivedAt,
      })
      .where(and(eq(quickbooksConnections.id, row.id), eq(quickbooksConnections.tenantId, tenantId)));
    await writeCallbackLog(tx, {
      tenantId,
      userId: consumed.userId,
      environment: app.environment,
      realmId,
      outcome: "success",
      errorCode: null,
      message: "Authorization code exchanged; tokens stored encrypted.",
      intuitTid: tokens.intuitTid,
      latencyMs: performance.now() - startedAt,
    });
    await recordAudit(tx, {
      tenantId,
      actorUserId: consumed.userId,
      action: "connection.tokens_stored",
      target: `quickbooks:${app.environment}:${realmId}`,
      outcome: "success",
      details: { intuitTid: tokens.intuitTid, realmChanged: !sameCompany && row.realmId !== null },
      meta,
    });
  });

  // A successful callback runs Verify at once; its failure shows on the Verify step, not as a failed callback.
  try {
    await verifyConnection({ tenantId, actorUserId: consumed.userId, meta });
    return { ok: true, code: "connected" };
  } catch (error) {
    if (error instanceof AppError) return { ok: true, code: "verify_failed" };
    throw error;
  }
}
