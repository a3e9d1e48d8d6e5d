// PUT /api/quickbooks/usage/platform-plan – set the Intuit plan of the platform's own app (the platform operator only).
import { requestMetaFrom } from "@/lib/audit/record";
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { PLATFORM_APP_KEY } from "@/lib/usage/app-key";
import { planUpdateSchema, updateAppPlan } from "@/lib/usage/update-app-plan";

export async function PUT(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "platform.plan.manage");
    const update = planUpdateSchema.parse(await readJson(req));
    return privateJson({ plan: await updateAppPlan({ appKey: PLATFORM_APP_KEY, actorUserId: actor.userId, update, meta: requestMetaFrom(req) }) });
  });
}
