// The benchmarks' load generator, run in its own process (never in the servers'): N requests from a fixed number of
// concurrent senders over keep-alive connections, each request's latency recorded.
// Usage: node --import tsx bench/load.ts <config.json>   (bench/webhooks.ts and bench/harness.ts write the config and
// read the result)
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { cpuShare, cpuSnapshot, type CpuShare } from "./cpu";

export interface LoadConfig {
  url: string;
  method: "POST" | "GET";
  /** POST: a JSON file holding [{ body, signature }]; one request per entry, in order. */
  requestsFile?: string;
  /** GET: how many requests. */
  count?: number;
  /** Headers sent with every request, e.g. a session cookie. */
  headers?: Record<string, string>;
  concurrency: number;
  /** The answer that counts as a success. */
  expectStatus: number;
  timeoutMs: number;
  outFile: string;
  /** The server's process group, for the CPU account of the run. */
  serverGroup?: number;
}

export interface LoadResult {
  requests: number;
  succeeded: number;
  /** Requests answered with another status, or not answered at all. */
  failed: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /** Up to 50 indices of failed requests, to look at. */
  failedIndices: number[];
  /** Index of each request that got the expected status (the only deliveries whose events must be stored). */
  succeededMask: string;
  elapsedMs: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number; mean: number };
  /** Sums of the `received` and `stored` counts in the JSON answers. */
  answered: { received: number; stored: number };
  /** CPU during the run, in percent of one core: this generator, and the machine split by server / PostgreSQL / other. */
  loadGeneratorCpu: number;
  cpu: CpuShare | null;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function run(config: LoadConfig): Promise<LoadResult> {
  const url = new URL(config.url);
  const requests: Array<{ body: Buffer; signature: string } | null> = config.requestsFile
    ? (JSON.parse(readFileSync(config.requestsFile, "utf8")) as Array<{ body: string; signature: string }>).map((r) => ({ body: Buffer.from(r.body), signature: r.signature }))
    : Array.from({ length: config.count ?? 0 }, () => null);
  const n = requests.length;
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency, maxFreeSockets: config.concurrency });
  const latency = new Float64Array(n);
  const ok = new Uint8Array(n);
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const failedIndices: number[] = [];
  const answered = { received: 0, stored: 0 };

  const send = (i: number) =>
    new Promise<void>((resolve) => {
      const item = requests[i];
      const headers: http.OutgoingHttpHeaders = item
        ? { ...config.headers, "content-type": "application/json", "content-length": item.body.byteLength, "intuit-signature": item.signature }
        : { ...config.headers };
      const started = process.hrtime.bigint();
      let settled = false;
      const finish = (status: string, error?: string) => {
        if (settled) return;
        settled = true;
        latency[i] = Number(process.hrtime.bigint() - started) / 1e6;
        if (error) errors[error] = (errors[error] ?? 0) + 1;
        else statuses[status] = (statuses[status] ?? 0) + 1;
        if (!error && status === String(config.expectStatus)) ok[i] = 1;
        else if (failedIndices.length < 50) failedIndices.push(i);
        resolve();
      };
      const req = http.request({ agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: config.method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => finish("", `response: ${error.message}`));
        res.on("end", () => {
          if (res.statusCode === 200) {
            try {
              const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { received?: number; stored?: number };
              answered.received += answer.received ?? 0;
              answered.stored += answer.stored ?? 0;
            } catch {
              // Counted by status; a 200 without JSON shows up in the stored/received sums.
            }
          }
          finish(String(res.statusCode));
        });
      });
      req.setTimeout(config.timeoutMs, () => req.destroy(new Error(`no answer in ${config.timeoutMs} ms`)));
      req.on("error", (error: NodeJS.ErrnoException) => finish("", error.code ?? error.message));
      req.end(item?.body);
    });

  let next = 0;
  const cpuBefore = cpuSnapshot();
  const ownBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(config.concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) await send(i);
    }),
  );
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const own = process.cpuUsage(ownBefore);
  const cpuAfter = cpuSnapshot();
  agent.destroy();
  const loadGeneratorCpu = Math.round(((own.user + own.system) / 1000 / elapsedMs) * 100);

  const sorted = Float64Array.from(latency).sort();
  const succeeded = ok.reduce((sum, v) => sum + v, 0);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    requests: n,
    succeeded,
    failed: n - succeeded,
    statuses,
    errors,
    failedIndices,
    succeededMask: Array.from(ok, (v) => (v ? "1" : "0")).join(""),
    elapsedMs: Math.round(elapsedMs),
    perSecond: Math.round((n / elapsedMs) * 1000),
    latencyMs: {
      p50: round(percentile(sorted, 0.5)),
      p90: round(percentile(sorted, 0.9)),
      p95: round(percentile(sorted, 0.95)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted[sorted.length - 1] ?? 0),
      mean: round(n ? sorted.reduce((s, v) => s + v, 0) / n : 0),
    },
    answered,
    loadGeneratorCpu,
    cpu: config.serverGroup ? cpuShare(cpuBefore, cpuAfter, config.serverGroup, loadGeneratorCpu) : null,
  };
}

const configFile = process.argv[2];
if (!configFile) {
  console.error("usage: node --import tsx bench/load.ts <config.json>");
  process.exit(2);
}
const config = JSON.parse(readFileSync(configFile, "utf8")) as LoadConfig;
const result = await run(config);
writeFileSync(config.outFile, JSON.stringify(result));
