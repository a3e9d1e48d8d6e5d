// POST /api/quickbooks/notifications/endpoints/{id}/test – queue a signed test event to this endpoint alone; its
// attempt appears in the endpoint's delivery log within seconds.
import { endpointRoute } from "@/lib/notifications/endpoint-route";
import { sendTestEvent } from "@/lib/notifications/endpoints";

export const POST = endpointRoute(sendTestEvent, { status: 202 });
