// GET /quickbooks/reconnect – Intuit's Reconnect URL: straight into a fresh authorization for the right tenant.
import { requestMetaFrom } from "@/lib/audit/record";
import { updateSession } from "@/lib/auth/auth";
import { actorFromHeaders } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { respond } from "@/lib/http/respond";
import { findReconnectTarget } from "@/lib/quickbooks/find-reconnect-target";
import { startConnect } from "@/lib/quickbooks/start-connect";

const REALM_ID = /^\d{1,32}$/;

export async function GET(req: Request) {
  return respond(async () => {
    const url = new URL(req.url);
    const realmParam = url.searchParams.get("realmId") ?? url.searchParams.get("realmid");
    const realmId = realmParam && REALM_ID.test(realmParam) ? realmParam : null;
    const here = `/quickbooks/reconnect${realmId ? `?realmId=${realmId}` : ""}`;

    const actor = await actorFromHeaders(req.headers);
    if (!actor) return redirectTo(`/login?callbackUrl=${encodeURIComponent(here)}`);
    const target = await findReconnectTarget(actor, realmId);
    if (!target) return redirectTo("/integrations/quickbooks?callback=forbidden");
    // The realm belongs to another of the user's tenants: make it the active one before authorizing.
    if (target.tenantId !== actor.tenantId) await updateSession({ tenantId: target.tenantId } as never);
    const authorizationUrl = await startConnect({ actor: target, meta: requestMetaFrom(req) });
    return new Response(null, { status: 302, headers: { location: authorizationUrl.href, "cache-control": "no-store" } });
  });
}

function redirectTo(path: string): Response {
  return Response.redirect(new URL(path, env().appUrl), 302);
}
