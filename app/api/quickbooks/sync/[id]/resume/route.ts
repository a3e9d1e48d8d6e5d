// POST /api/quickbooks/sync/{id}/resume – put a failed run back in the queue; it continues where it stopped.
import { requireActor } from "@/lib/auth/guard";
import { afterResponse } from "@/lib/http/after-response";
import { parseId, type IdRouteContext } from "@/lib/http/path-id";
import { privateJson, respond } from "@/lib/http/respond";
import { syncRunNotFound } from "@/lib/ledger/errors";
import { resumeSync } from "@/lib/ledger/resume-sync";
import { runSync } from "@/lib/ledger/run-sync";

export async function POST(req: Request, { params }: IdRouteContext) {
  return respond(req, async () => {
    const actor = await requireActor(req, "sync.run");
    const run = await resumeSync(actor.tenantId, parseId((await params).id, syncRunNotFound));
    afterResponse(() => runSync(run.id));
    return privateJson({ run }, { status: 202 });
  });
}
