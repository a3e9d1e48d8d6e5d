// GET /api/quickbooks/callback – step 2, Callback: check the state, exchange the code, verify, back to the console.
import { requestMetaFrom } from "@/lib/audit/record";
import { actorFromHeaders } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { respond } from "@/lib/http/respond";
import { withServerTiming } from "@/lib/http/server-timing";
import { completeCallback } from "@/lib/quickbooks/complete-callback";

export async function GET(req: Request) {
  return withServerTiming(() =>
    respond(async () => {
      const actor = await actorFromHeaders(req.headers);
      const outcome = await completeCallback(new URL(req.url).searchParams, actor, requestMetaFrom(req));
      const console = new URL("/integrations/quickbooks", env().appUrl);
      console.searchParams.set("callback", outcome.code);
      return new Response(null, { status: 302, headers: { location: console.href, "cache-control": "no-store" } });
    }),
  );
}
