// POST /api/quickbooks/checks – re-run the readiness checks that need Intuit (the discovery document) and return the
// fresh status. The console follows it with Verify (the test API call) when a connection holds tokens.
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "quickbooks.verify");
    return privateJson(await getConnectionStatus(actor.tenantId, { forceDiscovery: true }));
  });
}
