// GET /api/quickbooks/notifications/preferences – the signed-in member's email preferences on the active tenant;
// PUT – turn one kind of email on or off for themselves (body { eventType, email }).
import { requireActor } from "@/lib/auth/guard";
import { readJson } from "@/lib/http/read-json";
import { privateJson, respond } from "@/lib/http/respond";
import { preferenceInput } from "@/lib/notifications/inputs";
import { readEmailPreferences, setEmailPreference } from "@/lib/notifications/preferences";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "notifications.read");
    return privateJson({ preferences: await readEmailPreferences({ tenantId: actor.tenantId, userId: actor.userId, role: actor.role }) });
  });
}

export async function PUT(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "notifications.read");
    const input = preferenceInput.parse(await readJson(req));
    return privateJson({ preferences: await setEmailPreference({ tenantId: actor.tenantId, userId: actor.userId, role: actor.role, ...input }) });
  });
}
