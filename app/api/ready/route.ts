// GET /api/ready – readiness: 200 { status: "ready" } when the database answers within a second, its migrations are
// this build's and the job runner has started; else 503 { status: "not_ready", failed: "database" | "migrations" |
// "jobs", error: { code, message } }. No session; nothing else is said (lib/ops/readiness.ts).
import { errorBody } from "@/lib/errors";
import { checkReadiness } from "@/lib/ops/readiness";

export const dynamic = "force-dynamic";

export async function GET() {
  const readiness = await checkReadiness();
  const headers = { "cache-control": "no-store" };
  if (readiness.ready) return Response.json({ status: "ready" }, { headers });
  return Response.json({ status: "not_ready", failed: readiness.failed, ...errorBody("not_ready", readiness.message) }, { status: 503, headers });
}
