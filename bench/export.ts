// npm run bench:export – the callback-log CSV export at 1,000,000 rows (issue 6), through the BUILT app (`next start`)
// on PostgreSQL, beside `psql \copy (same SELECT) to stdout with (format csv, header)` on the same data in the same run.
// Measures total time, time to first byte and the app's peak memory (VmRSS sampled every 20 ms, and VmHWM) per run;
// checks that the download parses back to the same rows (count, ids in order, spot checks) and is byte-identical to
// psql's output. Prints one table and writes bench/results-export.json (its lines join `npm run bench`'s table). Exit code 1
// if a check fails (a missed target is reported, not a failure).
//
// Options: --rows 1000000 --runs 3 --build (run `next build` even if .next is current) --results <file> --app-dir <dir>
//   --wait-idle <s> (wait up to this long for an idle machine before the measured runs)
// Env: BENCH_POSTGRES_URL (server, default postgres://postgres@127.0.0.1:5432), BENCH_EXPORT_DATABASE (qbc_bench_export).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { parse } from "csv-parse";
import postgres from "postgres";
import { LOG_COLUMNS } from "../lib/logs/columns";
import { copySelectPieces, toInlineSql } from "../lib/logs/log-query";
import { ensureBuilt, freePort, memoryKb, migrateAndSeed, POSTGRES_SERVER_URL, processTree, productionEnv, recreateDatabase, repoDir, rssMb, sessionCookie, startBuiltApp, stopProcess } from "../scripts/built-app";
import { machineState } from "./harness";
import { line, writeResults } from "./lines";

const { values: args } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" }, build: { type: "boolean", default: false }, results: { type: "string" }, "app-dir": { type: "string" }, "wait-idle": { type: "string", default: "0" } },
});
const ROWS = Number(args.rows);
const RUNS = Number(args.runs);
const APP_DIR = path.resolve(args["app-dir"] ?? repoDir);
const RESULTS_FILE = path.resolve(args.results ?? path.join(repoDir, "bench", "results-export.json"));
const DATABASE = process.env.BENCH_EXPORT_DATABASE ?? "qbc_bench_export";
const TARGET_RATIO = 1.5;
const TARGET_PEAK_MB = 150;

const tmp = mkdtempSync(path.join(os.tmpdir(), "qbc-bench-export-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sha256 = async (file: string) => {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
};

// ---------------------------------------------------------------------------------------------------------------
console.log(`bench:export – ${ROWS.toLocaleString("en")} callback-log rows, ${RUNS} runs each`);
await ensureBuilt(APP_DIR, { force: args.build });
const DATABASE_URL = await recreateDatabase(DATABASE, POSTGRES_SERVER_URL);
const port = await freePort();
const appUrl = `http://127.0.0.1:${port}`;
// Nothing here calls Intuit: its URLs point at a closed port.
const appEnv = productionEnv({ databaseUrl: DATABASE_URL, appUrl, intuitUrl: `http://127.0.0.1:${await freePort()}`, extra: { QBC_BACKGROUND_JOBS: "off" } });
await migrateAndSeed(appEnv, { appDir: APP_DIR });
const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
const [{ server_version: serverVersion }] = (await sql`show server_version`) as unknown as [{ server_version: string }];
const [acme] = await sql<{ id: string }[]>`select id from tenants where slug = 'acme'`;
const [auditor] = await sql<{ id: string; email: string; name: string }[]>`select id, email, name from users where email = 'auditor@acme.test'`;
if (!acme || !auditor) throw new Error("the seed has no Acme tenant or auditor");
const started = performance.now();
await sql`
  insert into callback_logs (tenant_id, user_id, environment, realm_id, outcome, error_code, message, intuit_tid, latency_ms, created_at)
  select ${acme.id}::uuid, case when g % 3 = 0 then ${auditor.id}::uuid end, 'sandbox', '9341452000000001',
         case when g % 10 = 0 then 'failure' else 'success' end::callback_outcome,
         case when g % 10 = 0 then 'access_denied' end,
         case g % 50 when 0 then '=cmd|'' /C calc''!A0' when 1 then 'Intuit said "no", then, a retry' when 2 then E'two\nlines'
                     else 'Authorization code exchanged and the company verified' end,
         'tid-' || md5(g::text), g % 900, timestamptz '2026-01-01T00:00:00Z' + g * interval '1 second' + (g % 1000) * interval '1 microsecond'
  from generate_series(1, ${ROWS}) as g`;
await sql`analyze callback_logs`;
const insertSeconds = (performance.now() - started) / 1000;
console.log(`Inserted ${ROWS.toLocaleString("en")} rows in ${insertSeconds.toFixed(1)} s.`);

// The query the app runs (one column list), for psql.
const select = toInlineSql(copySelectPieces("callback", acme.id, {}));

// ---------------------------------------------------------------------------------------------------------------
const app = await startBuiltApp({ appDir: APP_DIR, port, env: appEnv });
const headers = { cookie: await sessionCookie({ id: auditor.id, tenantId: acme.id, email: auditor.email, name: auditor.name }, appEnv.AUTH_SECRET!) };

// Warm-up: the route's first request loads its code.
const warm = await fetch(`${appUrl}/api/quickbooks/logs/callback.csv?q=warm-up`, { headers });
if (warm.status !== 200) throw new Error(`warm-up export answered ${warm.status}: ${await warm.text()}`);
await warm.text();
const idleRssMb = rssMb(app.pid);

interface Measure {
  seconds: number;
  ttfbMs?: number;
  peakRssMb?: number;
  bytes: number;
}

async function appExport(file: string): Promise<Measure> {
  let peak = rssMb(app.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(app.pid))), 20);
  // curl downloads, as psql does for its side: a native client, so the client's own cost is not charged to the app
  // (Node's fetch reading 160 MB through web streams costs a core on this 2-core machine).
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  const child = spawn("curl", ["-sS", "-o", file, "-w", "%{http_code} %{time_starttransfer} %{time_total} %{size_download}", ...headerArgs, `${appUrl}/api/quickbooks/logs/callback.csv`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let report = "";
  child.stdout.on("data", (chunk: Buffer) => (report += chunk.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`curl exited with ${code}`);
  const [status, ttfbSeconds, totalSeconds, size] = report.trim().split(" ");
  if (status !== "200") throw new Error(`export answered ${status}`);
  return { seconds: Number(totalSeconds), ttfbMs: Number(ttfbSeconds) * 1000, peakRssMb: Math.max(peak, rssMb(app.pid)), bytes: Number(size) };
}

async function psqlExport(file: string): Promise<Measure> {
  const out = createWriteStream(file);
  await new Promise((r) => out.once("open", r));
  const t0 = performance.now();
  const child = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", DATABASE_URL, "-c", `\\copy (${select}) to stdout with (format csv, header)`], { stdio: ["ignore", out, "inherit"] });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  const seconds = (performance.now() - t0) / 1000;
  await new Promise<void>((resolve) => out.end(resolve));
  if (code !== 0) throw new Error(`psql exited with ${code}`);
  return { seconds, bytes: readFileSync(file).byteLength };
}

await machineState(Number(args["wait-idle"]));
const appRuns: Measure[] = [];
const psqlRuns: Measure[] = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate, so that neither gets a systematically warmer cache.
  psqlRuns.push(await psqlExport(path.join(tmp, `psql-${i}.csv`)));
  appRuns.push(await appExport(path.join(tmp, `app-${i}.csv`)));
  console.log(`run ${i + 1}: app ${appRuns[i]!.seconds.toFixed(2)} s (first byte ${appRuns[i]!.ttfbMs!.toFixed(0)} ms, peak ${appRuns[i]!.peakRssMb!.toFixed(0)} MB), psql ${psqlRuns[i]!.seconds.toFixed(2)} s`);
}
const hwmMb = processTree(app.pid).reduce((sum, pid) => sum + memoryKb(pid, "VmHWM"), 0) / 1024;

// ---------------------------------------------------------------------------------------------------------------
// Checks: the download parses back to the same rows, and is the same bytes as psql's.
const problems: string[] = [];
const appFile = path.join(tmp, "app-0.csv");
const expectedIds = (await sql<{ id: string }[]>`select id::text from callback_logs where tenant_id = ${acme.id} order by created_at desc, id desc limit 5`).map((r) => r.id);
const spot = await sql<{ id: string; message: string }[]>`select id::text, message from callback_logs where tenant_id = ${acme.id} and id in (select id from callback_logs order by id limit 3)`;
let parsedRows = 0;
const firstIds: string[] = [];
const byId = new Map<string, Record<string, string>>();
const parser = createReadStream(appFile).pipe(parse({ columns: true }));
for await (const record of parser as AsyncIterable<Record<string, string>>) {
  parsedRows++;
  if (firstIds.length < 5) firstIds.push(record.id!);
  if (spot.some((s) => s.id === record.id)) byId.set(record.id!, record);
  if (parsedRows === 1 && Object.keys(record).join(",") !== LOG_COLUMNS.callback.map((c) => c.name).join(",")) problems.push("header differs from the column list");
}
if (parsedRows !== ROWS) problems.push(`parsed ${parsedRows} rows, expected ${ROWS}`);
if (firstIds.join() !== expectedIds.join()) problems.push(`first ids ${firstIds.join()} differ from ${expectedIds.join()}`);
for (const s of spot) {
  const expected = /^[=+\-@\t\r]/.test(s.message) ? `'${s.message}` : s.message;
  if (byId.get(s.id)?.message !== expected) problems.push(`row ${s.id}: message ${JSON.stringify(byId.get(s.id)?.message)} != ${JSON.stringify(expected)}`);
}
const [appHash, psqlHash] = await Promise.all([sha256(appFile), sha256(path.join(tmp, "psql-0.csv"))]);
if (appHash !== psqlHash) problems.push("the app's CSV and psql's differ");
for (let i = 1; i < RUNS; i++) if ((await sha256(path.join(tmp, `app-${i}.csv`))) !== appHash) problems.push(`run ${i + 1} downloaded different bytes`);
const [audit] = await sql<{ rows: number }[]>`select (details->>'rows')::int as rows from audit_events where action = 'logs.exported' and details->>'q' is null order by id desc limit 1`;
if (audit?.rows !== ROWS) problems.push(`the access history records ${audit?.rows} rows for the last export`);
await sql.end();

const appSeconds = median(appRuns.map((r) => r.seconds));
const psqlSeconds = median(psqlRuns.map((r) => r.seconds));
const peak = Math.max(...appRuns.map((r) => r.peakRssMb!));
const ratio = appSeconds / psqlSeconds;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(`
| exporter (median of ${RUNS}) | wall | first byte | peak memory | size |
| --- | --- | --- | --- | --- |
| psql \\copy (same SELECT) to stdout csv header | ${psqlSeconds.toFixed(2)} s | – | (client) | ${mb(psqlRuns[0]!.bytes)} MB |
| app: GET /api/quickbooks/logs/callback.csv (COPY streamed) | ${appSeconds.toFixed(2)} s (${ratio.toFixed(2)}× psql) | ${median(appRuns.map((r) => r.ttfbMs!)).toFixed(0)} ms | ${peak.toFixed(0)} MB RSS (idle ${idleRssMb.toFixed(0)} MB, VmHWM ${hwmMb.toFixed(0)} MB) | ${mb(appRuns[0]!.bytes)} MB |

PostgreSQL ${serverVersion}, Node ${process.version}, ${os.cpus().length} cores; ${ROWS.toLocaleString("en")} rows parsed back: ${parsedRows.toLocaleString("en")}; app bytes ${appHash === psqlHash ? "identical to" : "DIFFERENT from"} psql's.
${problems.length ? `PROBLEMS:\n- ${problems.join("\n- ")}` : "All checks passed."} Targets: ≤ ${TARGET_RATIO}× psql (${ratio <= TARGET_RATIO ? "met" : "MISSED"}), < ${TARGET_PEAK_MB} MB (${peak < TARGET_PEAK_MB ? "met" : "MISSED"}).`);

const benchmark = `CSV export, ${ROWS.toLocaleString("en-US")} log rows`;
const ttfb = median(appRuns.map((r) => r.ttfbMs!));
writeResults(RESULTS_FILE, {
  name: "export",
  lines: [
    line({ benchmark, metric: `time, median of ${RUNS}`, value: appSeconds, unit: "s", baseline: { label: "psql \\copy to stdout csv", value: psqlSeconds }, target: { text: `≤ ${TARGET_RATIO}× psql`, met: ratio <= TARGET_RATIO && problems.length === 0 } }),
    line({ benchmark, metric: "time to first byte", value: ttfb, unit: "ms" }),
    line({ benchmark, metric: `peak memory (RSS; idle ${idleRssMb.toFixed(0)} MB)`, value: peak, unit: "MB", target: { text: `< ${TARGET_PEAK_MB} MB`, met: peak < TARGET_PEAK_MB } }),
  ],
  ok: problems.length === 0,
  problems,
  rows: ROWS,
  runs: RUNS,
  machine: { cores: os.cpus().length, node: process.version, postgres: serverVersion },
  insertSeconds,
  app: { medianSeconds: appSeconds, medianTtfbMs: ttfb, peakRssMb: peak, idleRssMb, vmHwmMb: hwmMb, runs: appRuns },
  psql: { medianSeconds: psqlSeconds, runs: psqlRuns },
  ratio,
  bytesIdenticalToPsql: appHash === psqlHash,
  parsedRows,
});
await stopProcess(app);
process.exit(problems.length ? 1 : 0);
