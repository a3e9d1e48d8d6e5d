import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { tokenCipher } from "@/lib/crypto/cipher";
import { AppError } from "@/lib/errors";
import { IntuitOAuthError, refreshAccessToken } from "@/lib/intuit/oauth";
import { authorizationServerFor } from "./authorization-server";
import { lockConnection, type ConnectionRow } from "./connections";
import type { IntuitApp } from "./intuit-app";
import { oauthFailureCode } from "./intuit-errors";
import { tokenExpiries } from "./token-expiries";

/**
 * The only module that opens stored tokens. Every QuickBooks API call gets its access token here.
 * A refresh runs under a row lock on the connection, re-reads the row after taking it (another process may have
 * refreshed already), and commits the rotated refresh token in the same transaction.
 */

export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface UsableToken {
  accessToken: string;
  realmId: string;
}

// Callers in one process waiting on the same connection share one refresh.
const inFlight = new Map<string, Promise<UsableToken>>();

function hasTimeLeft(row: ConnectionRow, now: Date): boolean {
  return !!row.accessTokenExpiresAt && row.accessTokenExpiresAt.getTime() - now.getTime() > REFRESH_MARGIN_MS;
}

function openToken(row: ConnectionRow): UsableToken {
  if (!row.accessTokenEnc || !row.realmId) throw notConnected();
  return { accessToken: tokenCipher().decrypt(row.accessTokenEnc), realmId: row.realmId };
}

export function notConnected(): AppError {
  return new AppError("not_connected", 409, "This tenant has no QuickBooks connection. Click “Connect to QuickBooks” first.");
}

export interface GetAccessTokenOptions {
  tenantId: string;
  app: IntuitApp;
  /** Refresh even if the stored token looks fresh: QuickBooks just refused it with a 401. */
  force?: boolean;
  actorUserId?: string | null;
}

export async function getUsableAccessToken(options: GetAccessTokenOptions): Promise<UsableToken> {
  const now = new Date();
  const [row] = await db()
    .select()
    .from(quickbooksConnections)
    .where(and(eq(quickbooksConnections.tenantId, options.tenantId), eq(quickbooksConnections.environment, options.app.environment)));
  if (!row || !row.accessTokenEnc || !row.refreshTokenEnc) throw notConnected();
  if (!options.force && hasTimeLeft(row, now)) return openToken(row);

  const key = row.id;
  const running = inFlight.get(key);
  if (running) return running;
  const refresh = refreshUnderLock(options, row.accessTokenEnc).finally(() => inFlight.delete(key));
  inFlight.set(key, refresh);
  return refresh;
}

async function refreshUnderLock(options: GetAccessTokenOptions, seenAccessTokenEnc: string): Promise<UsableToken> {
  const { tenantId, app } = options;
  const as = await authorizationServerFor(app);
  let failure = null as AppError | null;

  const result = await db().transaction(async (tx) => {
    const row = await lockConnection(tx, tenantId, app.environment);
    if (!row || !row.refreshTokenEnc || !row.accessTokenEnc) throw notConnected();
    const now = new Date();
    // Someone refreshed while we waited for the lock: use their token.
    if (row.accessTokenEnc !== seenAccessTokenEnc && hasTimeLeft(row, now)) return openToken(row);
    if (!options.force && hasTimeLeft(row, now)) return openToken(row);

    try {
      const tokens = await refreshAccessToken({
        as,
        client: { clientId: app.clientId, clientSecret: app.clientSecret },
        refreshToken: tokenCipher().decrypt(row.refreshTokenEnc),
      });
      const expiries = tokenExpiries(tokens, new Date());
      await tx
        .update(quickbooksConnections)
        .set({
          accessTokenEnc: tokenCipher().encrypt(tokens.accessToken),
          refreshTokenEnc: tokenCipher().encrypt(tokens.refreshToken),
          ...expiries,
          updatedAt: new Date(),
        })
        .where(and(eq(quickbooksConnections.id, row.id), eq(quickbooksConnections.tenantId, tenantId)));
      await recordAudit(tx, {
        tenantId,
        actorUserId: options.actorUserId ?? null,
        action: "token.refreshed",
        target: `quickbooks:${app.environment}:${row.realmId}`,
        outcome: "success",
        details: { intuitTid: tokens.intuitTid, accessTokenExpiresAt: expiries.accessTokenExpiresAt.toISOString() },
      });
      return { accessToken: tokens.accessToken, realmId: row.realmId ?? "" };
    } catch (error) {
      if (!(error instanceof IntuitOAuthError)) throw error;
      const code = oauthFailureCode(error);
      if (code === "invalid_grant") {
        // Intuit no longer honours this grant (revoked in QuickBooks, or expired): only a new consent helps.
        await tx
          .update(quickbooksConnections)
          .set({
            status: "reauthorization_required",
            lastErrorStep: "refresh",
            lastErrorCode: code,
            lastErrorMessage: "QuickBooks no longer accepts this connection's refresh token. Reconnect to QuickBooks.",
            lastErrorAt: new Date(),
            updatedAt: new Date(),
          })
          .where(and(eq(quickbooksConnections.id, row.id), eq(quickbooksConnections.tenantId, tenantId)));
      }
      await recordAudit(tx, {
        tenantId,
        actorUserId: options.actorUserId ?? null,
        action: "token.refresh_failed",
        target: `quickbooks:${app.environment}:${row.realmId}`,
        outcome: "failure",
        details: { code, intuitTid: error.intuitTid },
      });
      failure = new AppError(
        code === "invalid_grant" ? "reauthorization_required" : code,
        code === "invalid_grant" ? 409 : 502,
        code === "invalid_grant"
          ? "QuickBooks no longer accepts this connection. Reconnect to QuickBooks."
          : code === "invalid_client"
            ? "Intuit refused the app's credentials while renewing the token. An admin should check the client id and secret."
            : "Intuit could not renew the token right now. Try again in a few minutes.",
        { cause: error },
      );
      return null;
    }
  });
  // The failure is recorded and committed before it is raised.
  if (failure) throw failure;
  if (!result) throw notConnected();
  return result;
}
