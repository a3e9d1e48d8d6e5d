// GET /api/quickbooks/sync/{id} – one sync run: status, total, processed, updated, errors (the progress bar polls it).
import { requireActor } from "@/lib/auth/guard";
import { parseId, type IdRouteContext } from "@/lib/http/path-id";
import { privateJson, respond } from "@/lib/http/respond";
import { syncRunNotFound } from "@/lib/ledger/errors";
import { findSyncRun } from "@/lib/ledger/find-sync-run";

export async function GET(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    const run = await findSyncRun(actor.tenantId, parseId((await params).id, syncRunNotFound));
    if (!run) throw syncRunNotFound();
    return privateJson({ run });
  });
}
