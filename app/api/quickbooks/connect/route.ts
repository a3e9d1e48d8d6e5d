// GET /api/quickbooks/connect?tenant=<id> – step 1, Auth: redirect to Intuit's consent page. A link, so it names the
// tenant its page was rendered for in the query: the gate refuses one the session no longer acts for (tenant binding).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { respond } from "@/lib/http/respond";
import { withServerTiming } from "@/lib/http/server-timing";
import { startConnect } from "@/lib/quickbooks/start-connect";

export async function GET(req: Request) {
  return withServerTiming(() => startConnectResponse(req));
}

async function startConnectResponse(req: Request): Promise<Response> {
  try {
    const actor = await requireActor(req, "quickbooks.connect");
    const authorizationUrl = await startConnect({ actor, meta: requestMetaFrom(req) });
    return new Response(null, { status: 302, headers: { location: authorizationUrl.href, "cache-control": "no-store" } });
  } catch (error) {
    // The button is a link: a person who clicked it gets a page that explains (for a stale page's link, the console of
    // the tenant the session acts for now, saying that nothing was started), an API client gets JSON.
    if (error instanceof AppError && wantsHtml(req)) {
      const target = error.code === "unauthenticated" ? "/login?callbackUrl=/integrations/quickbooks" : `/integrations/quickbooks?callback=${error.code}`;
      return Response.redirect(new URL(target, env().appUrl), 302);
    }
    return respond(req, () => Promise.reject(error));
  }
}

function wantsHtml(req: Request): boolean {
  return req.headers.get("accept")?.includes("text/html") ?? false;
}
