// PUT /api/quickbooks/mappings/{ledgerAccountId} – map one AWRA account to a QuickBooks account ({ qboAccountId: null } unmaps).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { mappingInput } from "@/lib/ledger/inputs";
import { saveMapping } from "@/lib/ledger/mappings";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function PUT(req: Request, { params }: { params: Promise<{ ledgerAccountId: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.manage");
    const { ledgerAccountId } = await params;
    if (!UUID.test(ledgerAccountId)) throw new AppError("not_found", 404, "That AWRA account does not exist for this tenant.");
    const input = mappingInput.parse(await readJson(req));
    const { environment } = await intuitAppFor(actor.tenantId);
    const mapping = await saveMapping({ tenantId: actor.tenantId, ledgerAccountId, ...input, environment, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ mapping });
  });
}
