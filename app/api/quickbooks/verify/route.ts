// POST /api/quickbooks/verify – step 3, Verify: a CompanyInfo call proves the tokens work; success activates.
import { requestMetaFrom } from "@/lib/audit/record";
import { auditActorOf, requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { withServerTiming } from "@/lib/http/server-timing";
import { verifyConnection } from "@/lib/quickbooks/verify-connection";

export async function POST(req: Request) {
  return withServerTiming(() =>
    respond(req, async () => {
      const actor = await requireActor(req, "quickbooks.verify");
      const verified = await verifyConnection({ tenantId: actor.tenantId, ...auditActorOf(actor), meta: requestMetaFrom(req) });
      return privateJson({ verified });
    }),
  );
}
