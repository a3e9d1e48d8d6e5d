// PUT /api/quickbooks/usage/plan – set the Intuit plan of the tenant's own app (its admins; 409 on the platform's app).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { ownAppKeyOf, planUpdateSchema, updateAppPlan } from "@/lib/usage/update-app-plan";

export async function PUT(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "usage.plan.manage");
    const update = planUpdateSchema.parse(await readJson(req));
    const appKey = await ownAppKeyOf(actor.tenantId);
    return privateJson({ plan: await updateAppPlan({ appKey, actorUserId: actor.userId, update, meta: requestMetaFrom(req) }) });
  });
}
