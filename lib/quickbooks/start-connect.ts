import "server-only";
import { db } from "@/db";
import type { RequestMeta } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/session";
import { buildAuthorizationUrl, generatePkce } from "@/lib/intuit/oauth";
import { authorizationServerFor } from "./client/authorization-server";
import { ACCOUNTING_SCOPE, intuitAppFor } from "./client/intuit-app";
import { statusWhenAuthorizing } from "./rules/connection-state";
import { lockOrCreateConnection, transitionConnection } from "./store/connections";
import { storeOAuthState } from "./store/oauth-state";

export interface StartConnectOptions {
  actor: Actor;
  meta: RequestMeta;
  now?: Date;
}

/** Step 1, Auth: records a single-use state bound to this user and tenant, and returns Intuit's consent URL. */
export async function startConnect({ actor, meta, now = new Date() }: StartConnectOptions): Promise<URL> {
  const app = await intuitAppFor(actor.tenantId);
  const as = await authorizationServerFor(app);
  const pkce = await generatePkce(as);

  const state = await db().transaction(async (tx) => {
    const state = await storeOAuthState(
      tx,
      { tenantId: actor.tenantId, userId: actor.userId, environment: app.environment, redirectUri: app.redirectUri, codeVerifier: pkce?.codeVerifier ?? null },
      now,
    );
    const connection = await lockOrCreateConnection(tx, actor.tenantId, app.environment);
    await transitionConnection(tx, connection, statusWhenAuthorizing(connection.status), "authorization_started", {
      at: now,
      actor: { userId: actor.userId },
      meta,
      changes: { authorizationStartedAt: now },
      details: { environment: app.environment, pkce: pkce !== null },
    });
    return state;
  });

  return buildAuthorizationUrl({ as, clientId: app.clientId, redirectUri: app.redirectUri, state, scope: ACCOUNTING_SCOPE, codeChallenge: pkce?.codeChallenge });
}
