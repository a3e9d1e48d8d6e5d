// GET /api/metrics – Prometheus text format (lib/ops/metrics.ts), for a scraper holding METRICS_TOKEN as its bearer
// token. Off (404) when METRICS_TOKEN is unset; 401 without the right token. No session: a scraper has none.
import { errorBody } from "@/lib/errors";
import { respond } from "@/lib/http/respond";
import { metrics, scrapeAccess } from "@/lib/ops/metrics";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return respond(req, async () => {
    const access = scrapeAccess(req.headers.get("authorization"));
    if (access === "off") return Response.json(errorBody("not_found", "Metrics are off: set METRICS_TOKEN to serve them."), { status: 404, headers: { "cache-control": "no-store" } });
    if (access === "denied") {
      return Response.json(errorBody("unauthorized", "Send the metrics token as a bearer token."), { status: 401, headers: { "cache-control": "no-store", "www-authenticate": "Bearer" } });
    }
    const { registry } = metrics();
    return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
  });
}
