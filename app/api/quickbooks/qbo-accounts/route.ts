// GET /api/quickbooks/qbo-accounts?q=&afterName=&afterId=&limit= – a page of the QuickBooks chart of accounts, as
// last fetched, for the account picker (searchable, keyset-paged: works beyond Intuit's 1,000 rows per page).
import { requireActor } from "@/lib/auth/guard";
import { privateJson, respond } from "@/lib/http/respond";
import { chartSearchInput } from "@/lib/ledger/rules/inputs";
import { searchChart } from "@/lib/ledger/search-chart";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "mappings.read");
    const input = chartSearchInput.parse(Object.fromEntries(new URL(req.url).searchParams));
    const after = input.afterName !== undefined && input.afterId !== undefined ? { name: input.afterName, id: input.afterId } : undefined;
    return privateJson(await searchChart({ tenantId: actor.tenantId, environment: input.environment, q: input.q, after, limit: input.limit }));
  });
}
