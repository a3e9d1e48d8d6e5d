// POST /api/quickbooks/notifications/endpoints/{id}/rotate – a new signing secret, answered this once; the previous
// one keeps signing beside it for a day.
import { endpointRoute } from "@/lib/notifications/endpoint-route";
import { rotateEndpointSecret } from "@/lib/notifications/endpoints";

export const POST = endpointRoute(rotateEndpointSecret);
