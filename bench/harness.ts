// What bench/status.ts, bench/connect.ts and bench/console-page.ts share: their options, the built app on its own
// PostgreSQL database with the Intuit emulator as its own process, the empty Next.js app as the framework's
// baseline, tenants made in bulk, the load generator in its own process, percentiles, the machine's load, and the
// closing report (a table on stdout, bench/results-<name>.json, exit code 1 when a check failed).
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { keyFromBase64, TokenCipher } from "../lib/crypto/token-cipher";
import {
  appCommit,
  ensureBuilt,
  freePort,
  keepLogsOnExit,
  logDir,
  migrateAndSeed,
  minimalEnv,
  productionEnv,
  recreateDatabase,
  repoDir,
  runNodeScript,
  sessionCookie,
  startBuiltApp,
  startEmulatorProcess,
  stopProcess,
  type BuiltApp,
  type Launched,
} from "../scripts/built-app";
import { cpuSnapshot } from "./cpu";
import { prepareEmptyApp } from "./empty-app";
import { formatTable, writeResults, type BenchLine } from "./lines";
import type { LoadConfig, LoadResult } from "./load";

export const benchDir = import.meta.dirname;

// ---------------------------------------------------------------------------------------------------------------
// Options every one of these scripts takes.

/** Spread into parseArgs' options: `--results <file> --quick --app-dir <dir> --wait-idle <s>`. */
export const COMMON_OPTIONS = {
  results: { type: "string" },
  quick: { type: "boolean", default: false },
  "app-dir": { type: "string" },
  "wait-idle": { type: "string", default: "0" },
} as const;

export interface CommonSettings {
  name: string;
  quick: boolean;
  appDir: string;
  resultsFile: string;
  /** Before each measured run, wait up to this many seconds for the machine to be idle (0: do not wait). */
  waitIdleS: number;
}

export function commonSettings(name: string, values: { results?: string; quick?: boolean; "app-dir"?: string; "wait-idle"?: string }): CommonSettings {
  const waitIdleS = Number(values["wait-idle"] ?? 0);
  if (!(waitIdleS >= 0)) throw new Error("--wait-idle must be a number of seconds");
  return {
    name,
    quick: values.quick ?? false,
    appDir: path.resolve(values["app-dir"] ?? repoDir),
    resultsFile: path.resolve(values.results ?? path.join(benchDir, `results-${name}.json`)),
    waitIdleS,
  };
}

export function positiveInteger(value: string | undefined, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${option} must be a positive integer, not ${value}`);
  return n;
}

/** A run that hangs must still end (and kill its servers: scripts/built-app.ts does on exit). */
export function watchdog(minutes: number): void {
  setTimeout(() => {
    console.error(`bench: gave up after ${minutes} minutes; logs in ${keepLogsOnExit()}`);
    process.exit(1);
  }, minutes * 60_000).unref();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping`);
      process.exit(130);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The machine.

export interface MachineState {
  cores: number;
  loadAverage1m: number;
  /** Whole-machine CPU over one second before the run, percent of one core (null off Linux). */
  busyBeforePct: number | null;
}

async function busyPercent(ms = 1_000): Promise<number | null> {
  const before = cpuSnapshot();
  await new Promise((r) => setTimeout(r, ms));
  const after = cpuSnapshot();
  if (!before || !after || after.total === before.total) return null;
  return Math.round(((after.busy - before.busy) / (after.total - before.total)) * os.cpus().length * 100);
}

/** Waits (up to `maxSeconds`) until the machine uses less than 30 % of one core; says how busy it was. */
export async function machineState(maxSeconds: number): Promise<MachineState> {
  const deadline = Date.now() + maxSeconds * 1000;
  let busy = await busyPercent();
  while (busy !== null && busy > 30 && Date.now() < deadline) busy = await busyPercent();
  if (busy !== null && busy > 30) console.warn(`  note: the machine is busy (${busy}% of one core before the run); figures will be noisy`);
  return { cores: os.cpus().length, loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100, busyBeforePct: busy };
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics.

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    p99: round(percentile(sorted, 0.99)),
    mean: round(sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : 0),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

export const median = (values: readonly number[]) => summarize(values).p50;

// ---------------------------------------------------------------------------------------------------------------
// The load generator (bench/load.ts), one child process per run so that it never shares a server's event loop.

let loadRuns = 0;
export async function runLoad(config: Omit<LoadConfig, "outFile" | "timeoutMs"> & { timeoutMs?: number }): Promise<LoadResult> {
  const id = ++loadRuns;
  const configFile = path.join(logDir, `load-${id}.json`);
  const full: LoadConfig = { timeoutMs: 30_000, ...config, outFile: path.join(logDir, `load-${id}.result.json`) };
  writeFileSync(configFile, JSON.stringify(full));
  await runNodeScript(`load-${id}`, ["--import", "tsx", path.join(benchDir, "load.ts"), configFile], { cwd: repoDir, env: minimalEnv(), timeoutMs: 600_000 });
  return JSON.parse(readFileSync(full.outFile, "utf8")) as LoadResult;
}

// ---------------------------------------------------------------------------------------------------------------
// The app on PostgreSQL with the emulator, and the empty app.

export interface BenchStack {
  app: BuiltApp;
  emulator: Launched & { url: string };
  databaseUrl: string;
  /** A postgres.js client on the app's database, for setup and checks (not used during measured runs). */
  sql: postgres.Sql;
  build: string;
  commit: string;
  serverVersion: string;
  /** A session cookie as Auth.js would set it for this app. */
  cookieFor(user: BenchUser): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Builds the app if needed, starts the emulator (accepting exactly the app's callback URL), recreates `database`,
 * migrates and seeds it with the app's own scripts, lets `prepare` load data, then starts the app as `npm start`
 * does, with the background jobs off (they would renew and catch up thousands of bench connections meanwhile).
 */
export async function startStack(options: { database: string; appDir: string; prepare?: (sql: postgres.Sql, appEnv: NodeJS.ProcessEnv) => Promise<void>; extraEnv?: Record<string, string> }): Promise<BenchStack> {
  const build = await ensureBuilt(options.appDir);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const emulator = await startEmulatorProcess({ env: { ...minimalEnv(), EMULATOR_REDIRECT_URIS: `${appUrl}/api/quickbooks/callback` } });
  const databaseUrl = await recreateDatabase(options.database);
  const env = productionEnv({ databaseUrl, appUrl, intuitUrl: emulator.url, extra: { NODE_ENV: "production", QBC_BACKGROUND_JOBS: "off", ...options.extraEnv } });
  await migrateAndSeed(env, { appDir: options.appDir });
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  const [{ server_version: serverVersion }] = (await sql`show server_version`) as unknown as [{ server_version: string }];
  if (options.prepare) await options.prepare(sql, env);
  await sql`vacuum analyze`;
  const app = await startBuiltApp({ appDir: options.appDir, port, env, nodeArgs: process.env.BENCH_APP_NODE_ARGS?.split(/\s+/).filter(Boolean) });
  return {
    app,
    emulator,
    databaseUrl,
    sql,
    build,
    commit: appCommit(options.appDir),
    serverVersion,
    cookieFor: (user) => sessionCookie(user, env.AUTH_SECRET!),
    async stop() {
      await sql.end({ timeout: 5 });
      await stopProcess(app);
      await stopProcess(emulator);
    },
  };
}

/** The empty Next.js app (bench/empty-next-app), built with the same Next.js and started as `npm start` does. */
export async function startEmptyApp(): Promise<BuiltApp & { dir: string; build: string }> {
  const { dir, build } = await prepareEmptyApp();
  const app = await startBuiltApp({ name: "empty-app", appDir: dir, env: { ...minimalEnv() } });
  return { ...app, dir, build };
}

// ---------------------------------------------------------------------------------------------------------------
// Data.

/** The key productionEnv() gives the app: tokens sealed with it open in the app (as real stored tokens would). */
export function appTokenCipher(env: NodeJS.ProcessEnv): TokenCipher {
  return new TokenCipher(keyFromBase64(env.TOKEN_ENCRYPTION_KEY!));
}

export interface BenchUser {
  id: string;
  tenantId: string;
  email: string;
  name: string;
}

/**
 * `count` tenants (slugs `<prefix>-1` …) in one statement each, and with `accountants` one accountant per tenant
 * (`accountant@<prefix>-<i>.test`; they never sign in with a password: the benches send a session cookie).
 */
export async function createTenants(sql: postgres.Sql, options: { count: number; prefix: string; accountants: boolean }): Promise<BenchUser[]> {
  const { count, prefix } = options;
  await sql`
    insert into tenants (slug, name)
    select ${prefix} || '-' || i, 'Bench tenant ' || ${prefix} || ' ' || i from generate_series(1, ${count}::int) i`;
  if (!options.accountants) return [];
  await sql`
    insert into users (email, name, password_hash)
    select 'accountant@' || ${prefix} || '-' || i || '.test', 'Accountant ' || i, 'not-a-password-hash' from generate_series(1, ${count}::int) i`;
  return sql<BenchUser[]>`
    with added as (
      insert into memberships (tenant_id, user_id, role)
      select t.id, u.id, 'accountant' from generate_series(1, ${count}::int) i
      join tenants t on t.slug = ${prefix} || '-' || i
      join users u on u.email = 'accountant@' || ${prefix} || '-' || i || '.test'
      returning tenant_id, user_id)
    select u.id, added.tenant_id as "tenantId", u.email, u.name from added join users u on u.id = added.user_id order by u.email`;
}

/** The seeded demo user `email` on its tenant `slug` (e.g. accountant@acme.test on acme). */
export async function seededUser(sql: postgres.Sql, email: string, slug: string): Promise<BenchUser> {
  const [user] = await sql<BenchUser[]>`
    select u.id, t.id as "tenantId", u.email, u.name from users u
    join memberships m on m.user_id = u.id join tenants t on t.id = m.tenant_id
    where u.email = ${email} and t.slug = ${slug}`;
  if (!user) throw new Error(`the seed has no ${email} in ${slug}`);
  return user;
}

// ---------------------------------------------------------------------------------------------------------------
// The report.

export interface Report {
  settings: CommonSettings;
  lines: BenchLine[];
  problems: string[];
  details: Record<string, unknown>;
}

/** Prints the table and the problems, writes the results file, and ends the process (exit 1 if a check failed). */
export function finish({ settings, lines, problems, details }: Report): never {
  console.log(`\n${formatTable(lines)}\n`);
  for (const problem of problems) console.error(`CHECK FAILED: ${problem}`);
  writeResults(settings.resultsFile, { name: settings.name, lines, ok: problems.length === 0, problems, quick: settings.quick, ...details });
  console.log(`Results written to ${path.relative(process.cwd(), settings.resultsFile) || settings.resultsFile}`);
  if (problems.length) console.error(`logs kept in ${keepLogsOnExit()}`);
  process.exit(problems.length ? 1 : 0);
}
