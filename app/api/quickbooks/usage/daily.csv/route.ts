// GET /api/quickbooks/usage/daily.csv – the usage page's daily figures as CSV (`?app=` for the operator; `?from=&to=`).
import { requireActor } from "@/lib/auth/guard";
import { respond } from "@/lib/http/respond";
import { csvExportResponse } from "@/lib/logs/export-response";
import { exportUsageCsv, usageCsvRangeSchema } from "@/lib/usage/export-usage-csv";
import { requireUsageView } from "@/lib/usage/resolve-usage-view";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "usage.read");
    const query = new URL(req.url).searchParams;
    const range = usageCsvRangeSchema.parse({ from: query.get("from") ?? undefined, to: query.get("to") ?? undefined });
    const view = await requireUsageView(actor, query.get("app"));
    return csvExportResponse(actor.tenantId, () => exportUsageCsv(view, range));
  });
}
