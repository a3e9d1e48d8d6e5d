// GET /api/quickbooks/notifications/endpoints/{id}/deliveries – the endpoint's delivery log: each attempt, newest first.
import { endpointRoute } from "@/lib/notifications/endpoint-route";
import { listEndpointDeliveries } from "@/lib/notifications/endpoints";

export const GET = endpointRoute(async (input) => ({ deliveries: await listEndpointDeliveries(input) }));
