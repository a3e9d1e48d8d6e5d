import "server-only";
import { renewAccessToken } from "./client/access-token";
import { intuitAppFor } from "./client/intuit-app";

/** "Renew token" (the guide's "trigger immediate token renewal request"): renews even when the token is still fresh. */
export async function renewTokenNow({ tenantId, actorUserId }: { tenantId: string; actorUserId: string | null }) {
  const result = await renewAccessToken({ tenantId, app: await intuitAppFor(tenantId), trigger: "manual", force: true, actorUserId });
  return {
    renewed: result.renewed,
    accessTokenExpiresAt: result.accessTokenExpiresAt?.toISOString() ?? null,
    refreshTokenExpiresAt: result.refreshTokenExpiresAt?.toISOString() ?? null,
  };
}
