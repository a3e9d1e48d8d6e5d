// GET /api/quickbooks/callback – step 2, Callback: check the state, exchange the code, verify, back to the console.
import { z } from "zod";
import { requestMetaFrom } from "@/lib/audit/record";
import { actorFromHeaders } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { respond } from "@/lib/http/respond";
import { withServerTiming } from "@/lib/http/server-timing";
import { completeCallback, type CallbackInput } from "@/lib/quickbooks/complete-callback";

/** What Intuit's redirect may carry: the code, state and realmId of a consent (and an `iss`), or the error of a refused one. */
const callbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().min(1).max(512).optional(),
  realmId: z
    .string()
    .regex(/^\d{1,32}$/)
    .optional(),
  error: z.string().max(200).optional(),
  // RFC 9207: the authorization server's issuer, when it sends one (handed to the response validation).
  iss: z.string().max(500).optional(),
});

function callbackInputOf(url: URL): CallbackInput {
  const parsed = callbackQuery.safeParse(Object.fromEntries(url.searchParams));
  return parsed.success ? { kind: "answer", ...parsed.data } : { kind: "malformed" };
}

export async function GET(req: Request) {
  return withServerTiming(() =>
    respond(req, async () => {
      const actor = await actorFromHeaders(req.headers);
      const outcome = await completeCallback(callbackInputOf(new URL(req.url)), actor, requestMetaFrom(req));
      const console = new URL("/integrations/quickbooks", env().appUrl);
      console.searchParams.set("callback", outcome.code);
      return new Response(null, { status: 302, headers: { location: console.href, "cache-control": "no-store" } });
    }),
  );
}
