// PUT /api/quickbooks/mappings/{ledgerAccountId} – map one AWRA account to a QuickBooks account ({ qboAccountId: null } unmaps).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { parseUuid } from "@/lib/http/path-id";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { ledgerAccountNotFound } from "@/lib/ledger/errors";
import { saveMapping } from "@/lib/ledger/save-mapping";
import { mappingInput } from "@/lib/ledger/rules/inputs";

export async function PUT(req: Request, { params }: { params: Promise<{ ledgerAccountId: string }> }) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.manage");
    const ledgerAccountId = parseUuid((await params).ledgerAccountId, ledgerAccountNotFound);
    const input = mappingInput.parse(await readJson(req));
    const mapping = await saveMapping({ tenantId: actor.tenantId, ledgerAccountId, ...input, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    return privateJson({ mapping });
  });
}
