import "server-only";
import { and, eq, lt } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import { db } from "@/db";
import { oauthStates, quickbooksConnections } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/session";
import { tokenCipher } from "@/lib/crypto/cipher";
import { supportsPkceS256 } from "@/lib/intuit/discovery";
import { buildAuthorizationUrl } from "@/lib/intuit/oauth";
import { authorizationServerFor } from "./client/authorization-server";
import { statusWhenAuthorizing } from "./rules/connection-state";
import { lockConnection } from "./store/connections";
import { ACCOUNTING_SCOPE, intuitAppFor } from "./client/intuit-app";
import { createOAuthState, STATE_LIFETIME_MS } from "./store/oauth-state";

export interface StartConnectOptions {
  actor: Actor;
  meta: RequestMeta;
  now?: Date;
}

/** Step 1, Auth: records a single-use state bound to this user and tenant, and returns Intuit's consent URL. */
export async function startConnect({ actor, meta, now = new Date() }: StartConnectOptions): Promise<URL> {
  const app = await intuitAppFor(actor.tenantId);
  const as = await authorizationServerFor(app);
  const { state, stateHash } = createOAuthState();
  // Intuit's document offers no PKCE today; if it ever does, S256 is used without a code change.
  const codeVerifier = supportsPkceS256(as) ? oauth.generateRandomCodeVerifier() : null;
  const codeChallenge = codeVerifier ? await oauth.calculatePKCECodeChallenge(codeVerifier) : undefined;

  await db().transaction(async (tx) => {
    // Expired states are useless; sweeping a few on each start keeps the table small without a job.
    await tx.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date(now.getTime() - 24 * 60 * 60 * 1000)));
    await tx.insert(oauthStates).values({
      stateHash,
      tenantId: actor.tenantId,
      userId: actor.userId,
      environment: app.environment,
      redirectUri: app.redirectUri,
      codeVerifierEnc: codeVerifier ? tokenCipher().encrypt(codeVerifier) : null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + STATE_LIFETIME_MS),
    });
    await tx
      .insert(quickbooksConnections)
      .values({ tenantId: actor.tenantId, environment: app.environment, status: "not_connected" })
      .onConflictDoNothing();
    const connection = await lockConnection(tx, actor.tenantId, app.environment);
    if (!connection) throw new Error("The connection row vanished while starting authorization.");
    await tx
      .update(quickbooksConnections)
      .set({ status: statusWhenAuthorizing(connection.status), authorizationStartedAt: now, updatedAt: now })
      .where(and(eq(quickbooksConnections.id, connection.id), eq(quickbooksConnections.tenantId, actor.tenantId)));
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      actorUserId: actor.userId,
      action: "connection.authorization_started",
      target: `quickbooks:${app.environment}`,
      outcome: "success",
      details: { environment: app.environment, pkce: codeVerifier !== null },
      meta,
    });
  });

  return buildAuthorizationUrl({
    as,
    clientId: app.clientId,
    redirectUri: app.redirectUri,
    state,
    scope: ACCOUNTING_SCOPE,
    codeChallenge,
  });
}
