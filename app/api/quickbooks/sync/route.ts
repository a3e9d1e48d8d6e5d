// GET  /api/quickbooks/sync – the tenant's latest sync runs.
// POST /api/quickbooks/sync – queue a sync of the QuickBooks chart of accounts and balances (body { environment? });
//      it starts once the response is sent, and the job queue resumes it if this process stops.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { afterResponse } from "@/lib/http/after-response";
import { readOptionalJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { listSyncRuns } from "@/lib/ledger/list-sync-runs";
import { requestSync } from "@/lib/ledger/request-sync";
import { environmentInput } from "@/lib/ledger/rules/inputs";
import { runSync } from "@/lib/ledger/run-sync";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    return privateJson({ runs: await listSyncRuns(actor.tenantId) });
  });
}

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "sync.run");
    const { environment } = environmentInput.parse(await readOptionalJson(req));
    const run = await requestSync({ tenantId: actor.tenantId, environment, actorUserId: actor.userId, meta: requestMetaFrom(req) });
    afterResponse(() => runSync(run.id));
    return privateJson({ run }, { status: 202 });
  });
}
