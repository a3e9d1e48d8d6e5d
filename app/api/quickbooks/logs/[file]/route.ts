// GET /api/quickbooks/logs/{callback|refresh|webhook|access}.csv – one log of the tenant as a streamed CSV download.
import { requestMetaFrom } from "@/lib/audit/record";
import { auditActorOf, requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { respond } from "@/lib/http/respond";
import { exportLog } from "@/lib/logs/export-log";
import { csvExportResponse } from "@/lib/logs/export-response";
import { parseLogFilters, parseLogName } from "@/lib/logs/log-query";

// Audit policy: every export writes logs.export_started before its first byte and logs.exported (rows) at its end.
export async function GET(req: Request, { params }: { params: Promise<{ file: string }> }) {
  return respond(req, async () => {
    const actor = await requireActor(req, "logs.export");
    const { file } = await params;
    const log = parseLogName(/^([a-z]+)\.csv$/.exec(file)?.[1]);
    if (!log) throw new AppError("not_found", 404, "There is no such log: use callback.csv, refresh.csv, webhook.csv or access.csv.");
    const filters = parseLogFilters(log, new URL(req.url).searchParams);
    return csvExportResponse(actor.tenantId, () => exportLog({ log, tenantId: actor.tenantId, ...auditActorOf(actor), filters, meta: requestMetaFrom(req) }));
  });
}
