// GET /api/health – liveness: the process answers. No session, no database: an outage must not restart every instance.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
