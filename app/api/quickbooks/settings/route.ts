// GET /api/quickbooks/settings – the tenant's Intuit environment, credentials (secret never shown) and portal URLs.
// PUT /api/quickbooks/settings – change them (admins only); a changed Intuit app asks for a reconnect.
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { getIntuitSettings } from "@/lib/quickbooks/get-intuit-settings";
import { settingsUpdateSchema, updateIntuitSettings } from "@/lib/quickbooks/update-intuit-settings";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "credentials.manage");
    return privateJson(await getIntuitSettings(actor.tenantId, actor.userId, requestMetaFrom(req)));
  });
}

export async function PUT(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "credentials.manage");
    const update = settingsUpdateSchema.parse(await readJson(req));
    await updateIntuitSettings(actor.tenantId, actor.userId, update, requestMetaFrom(req));
    return privateJson(await getIntuitSettings(actor.tenantId, actor.userId, requestMetaFrom(req)));
  });
}
