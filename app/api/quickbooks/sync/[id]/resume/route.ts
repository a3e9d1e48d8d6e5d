// POST /api/quickbooks/sync/{id}/resume – put a failed run back in the queue; it continues where it stopped.
import { requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { afterResponse } from "@/lib/http/after-response";
import { privateJson, respond } from "@/lib/http/respond";
import { idFrom } from "@/lib/ledger/inputs";
import { resumeSync, runSync } from "@/lib/ledger/sync-runs";

export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    const actor = await requireActor(req, "sync.run");
    const id = idFrom((await params).id);
    if (id === null) throw new AppError("not_found", 404, "That sync run does not exist.");
    const run = await resumeSync(actor.tenantId, id);
    afterResponse(() => runSync(run.id));
    return privateJson({ run }, { status: 202 });
  });
}
