// POST /api/quickbooks/mappings/validate – fetch the live QuickBooks chart of accounts and validate the mapping set
// against it (body { environment?: "sandbox" | "production" }, the tenant's environment by default).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readOptionalJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { environmentInput } from "@/lib/ledger/rules/inputs";
import { validateAgainstLiveChart } from "@/lib/ledger/validate-against-live-chart";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.manage");
    const { environment } = environmentInput.parse(await readOptionalJson(req));
    const validation = await validateAgainstLiveChart({ tenantId: actor.tenantId, environment, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ validation });
  });
}
