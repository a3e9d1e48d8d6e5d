// GET /api/metrics – Prometheus text format (lib/ops/metrics.ts), for a scraper holding METRICS_TOKEN as its bearer
// token. Off (404) when METRICS_TOKEN is unset; 401 without the right token. No session: a scraper has none.
import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { errorBody } from "@/lib/errors";
import { respond } from "@/lib/http/respond";
import { metrics } from "@/lib/ops/metrics";

export const dynamic = "force-dynamic";

function holdsToken(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function GET(req: Request) {
  return respond(req, async () => {
    const token = env().metricsToken;
    if (token === null) return Response.json(errorBody("not_found", "Metrics are off: set METRICS_TOKEN to serve them."), { status: 404, headers: { "cache-control": "no-store" } });
    if (!holdsToken(req.headers.get("authorization"), token)) {
      return Response.json(errorBody("unauthorized", "Send the metrics token as a bearer token."), { status: 401, headers: { "cache-control": "no-store", "www-authenticate": "Bearer" } });
    }
    const { registry } = metrics();
    return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
  });
}
