// GET /api/quickbooks/verify-file – the company verify file: evidence of the last successful Verify, as a download.
import { requestMetaFrom } from "@/lib/audit/record";
import { auditActorOf, requireActor } from "@/lib/auth/guard";
import { respond } from "@/lib/http/respond";
import { downloadVerifyFile } from "@/lib/quickbooks/download-verify-file";

export async function GET(req: Request) {
  return respond(req, async () => {
    // Every role may read the connection's status, and this evidence is part of it.
    const actor = await requireActor(req, "quickbooks.status.read");
    const { filename, file } = await downloadVerifyFile({
      tenantId: actor.tenantId,
      tenantName: actor.tenantName,
      ...auditActorOf(actor),
      meta: requestMetaFrom(req),
    });
    // Indented: a reviewer reads this file, and it is small.
    return new Response(`${JSON.stringify(file, null, 2)}\n`, {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
      },
    });
  });
}
