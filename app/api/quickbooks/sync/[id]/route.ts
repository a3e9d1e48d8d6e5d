// GET /api/quickbooks/sync/{id} – one sync run: status, total, processed, updated, errors (the progress bar polls it).
import { requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { privateJson, respond } from "@/lib/http/respond";
import { idFrom } from "@/lib/ledger/inputs";
import { findSyncRun } from "@/lib/ledger/sync-runs";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "mappings.read");
    const id = idFrom((await params).id);
    const run = id === null ? null : await findSyncRun(actor.tenantId, id);
    if (!run) throw new AppError("not_found", 404, "That sync run does not exist.");
    return privateJson({ run });
  });
}
