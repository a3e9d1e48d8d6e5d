// POST /api/quickbooks/reconnect – the Reconnect page's button: for the tenant the page names (x-qbc-tenant), switch
// the session to it when it acts for another, then start a fresh authorization. Answers where the browser goes next.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireNamedTenantActor } from "@/lib/auth/guard";
import { switchTenant } from "@/lib/auth/switch-tenant";
import { privateJson, respond } from "@/lib/http/respond";
import { startConnect } from "@/lib/quickbooks/start-connect";

export async function POST(req: Request) {
  return respond(req, async () => {
    const { actor, session } = await requireNamedTenantActor(req, "quickbooks.connect");
    // Before the authorization: Intuit's callback completes only for the tenant the session acts for.
    if (session.actor.tenantId !== actor.tenantId) await switchTenant({ session, tenantId: actor.tenantId });
    const authorizationUrl = await startConnect({ actor, meta: requestMetaFrom(req) });
    // JSON, not a redirect: the page navigates itself (a form's redirect to Intuit would break CSP form-action 'self').
    return privateJson({ authorizationUrl: authorizationUrl.href });
  });
}
