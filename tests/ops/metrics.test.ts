// Issue 19, point 4: Prometheus metrics behind a bearer token: the request, Intuit-call and renewal metrics this
// process observed, and the queues read from the database at scrape time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { resetEnvForTests } from "@/lib/env";
import { routeTemplate } from "@/lib/ops/metrics";
import { renewTokenNow } from "@/lib/quickbooks/renew-token-now";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant } from "../connect-helper";
import { useTestDatabase } from "../database";
import { appRequest } from "../session";

useTestDatabase();
useIntuitMock();

const TOKEN = "metrics-token-0123456789abcdef";
const scrape = (authorization?: string) => metricsRoute(new Request("http://localhost:3000/api/metrics", { headers: authorization ? { authorization } : {} }));

beforeAll(() => {
  process.env.METRICS_TOKEN = TOKEN;
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.METRICS_TOKEN;
  resetEnvForTests();
});

describe("GET /api/metrics", () => {
  it("answers only a scraper with the token, and is off without one configured", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong-token-0123456789abcd")).status).toBe(401);
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(404);
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvForTests();
  });

  it("reports requests by route template, Intuit calls, renewals and the queues", async () => {
    const { tenantId, cookie } = await connectTenant("accountant@acme.test");
    await renewTokenNow({ tenantId, actorUserId: null });
    expect((await statusRoute(appRequest("/api/quickbooks/status", { cookie }))).status).toBe(200);
    const response = await scrape(`Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(/qbc_http_request_duration_seconds_count\{method="GET",route="\/api\/quickbooks\/status",status="200"\} [1-9]/);
    expect(text).toMatch(/qbc_intuit_call_duration_seconds_count\{operation="companyinfo",outcome="success",environment="sandbox"\} [1-9]/);
    expect(text).toMatch(/qbc_token_renewals_total\{trigger="manual",outcome="success"\} 1/);
    expect(text).toContain("# TYPE qbc_queue_items gauge");
    expect(text).toContain('qbc_queue_items{queue="notification_events",state="undispatched"}');
    expect(text).toMatch(/qbc_webhook_processing_lag_seconds 0/);
    expect(text).toContain("qbc_process_cpu_seconds_total");
    // Never a token or a secret.
    expect(text).not.toContain(TOKEN);
  });

  it("keeps route labels few: ids become :id", () => {
    expect(routeTemplate("/api/quickbooks/reconciliations/42/lines/7")).toBe("/api/quickbooks/reconciliations/:id/lines/:id");
    expect(routeTemplate("/api/quickbooks/notifications/endpoints/0b9f7a52-3c1d-4f0e-9d2a-5e6f7a8b9c0d/test")).toBe("/api/quickbooks/notifications/endpoints/:id/test");
  });
});
