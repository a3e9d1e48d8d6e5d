// GET /api/ready – readiness: 200 { status: "ready" } when the database answers within a second, its migrations are
// this build's and the job runner has started; else 503 { status: "not_ready", failed: "database" | "migrations" |
// "jobs", error: { code, message } }. No session; nothing else is said (lib/ops/readiness.ts).
import { errorBody } from "@/lib/errors";
import { checkReadiness, type ReadinessCheck } from "@/lib/ops/readiness";

export const dynamic = "force-dynamic";

const WHY: Record<ReadinessCheck, string> = {
  database: "This instance is not ready: its database does not answer.",
  migrations: "This instance is not ready: the database's migrations are older than this build's. Run the migrations.",
  jobs: "This instance is not ready: its background job runner has not started.",
};

export async function GET() {
  const readiness = await checkReadiness();
  const headers = { "cache-control": "no-store" };
  if (readiness.ready) return Response.json({ status: "ready" }, { headers });
  return Response.json({ status: "not_ready", failed: readiness.failed, ...errorBody("not_ready", WHY[readiness.failed]) }, { status: 503, headers });
}
