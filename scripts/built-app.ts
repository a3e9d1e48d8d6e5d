// The built app, its database and the Intuit emulator as real processes, for the benchmarks (bench/) and the fault
// suite (tests/faults/). Every child gets its own process group and a log file; every group still alive is killed
// when this process exits, whatever the reason, so a failed run never leaves servers behind.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import postgres from "postgres";
import { nextStartArgv } from "./next-start";

export const repoDir = path.resolve(import.meta.dirname, "..");
export const POSTGRES_SERVER_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
export const SESSION_COOKIE = "authjs.session-token";
/** Extra environment variables (Node's ProcessEnv type insists on NODE_ENV, which extras never set). */
export type EnvVars = Record<string, string | undefined>;

const children = new Set<ChildProcess>();
export const logDir = mkdtempSync(path.join(os.tmpdir(), "qbc-processes-"));
let keepLogs = false;
/** Keeps the children's logs after exit (call it when something failed, and say where they are). */
export function keepLogsOnExit(): string {
  keepLogs = true;
  return logDir;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
process.on("exit", () => {
  for (const child of children) killGroup(child, "SIGKILL");
  if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
});

export interface Launched {
  name: string;
  child: ChildProcess;
  pid: number;
  log: string;
}

export function launch(name: string, command: string, argv: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Launched {
  const log = path.join(logDir, `${name}.log`);
  const out = createWriteStream(log, { flags: "a" });
  const child = spawn(command, argv, { cwd: options.cwd ?? repoDir, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return { name, child, pid: child.pid!, log };
}

export const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(launched: Launched, graceMs = 5_000): Promise<void> {
  const { child } = launched;
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** SIGKILL: no clean-up, no `finally`, exactly as a crash or an out-of-memory kill would end it. */
export async function killProcess(launched: Launched): Promise<void> {
  const { child } = launched;
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGKILL");
  await gone;
}

export function tail(log: string, lines = 40): string {
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-lines).join("\n") : "(no log)";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A clean environment: nothing from the caller's shell (e.g. a DATABASE_URL meant for something else) leaks in. */
export const minimalEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: process.env.LANG ?? "C.UTF-8",
  TZ: "UTC",
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
});

const TSX = ["--import", "tsx", "--conditions=react-server"];

/** Runs a node script to completion; its output goes to a log, shown if it fails. */
export async function runNodeScript(name: string, argv: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<void> {
  const launched = launch(name, process.execPath, argv, options);
  const timer = setTimeout(() => killGroup(launched.child, "SIGKILL"), options.timeoutMs ?? 180_000);
  const code = await new Promise<number | null>((resolve) => launched.child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${name} failed (exit ${code}); log ${keepLogsOnExit()}/${name}.log:\n${tail(launched.log)}`);
}

export async function waitForHttp(url: string, launched: Launched, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(launched.child)) throw new Error(`${launched.name} exited before answering; log:\n${tail(launched.log)}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms; ${launched.name} log:\n${tail(launched.log)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The database.

/** Drops and creates `name` on the PostgreSQL server; returns its URL. */
export async function recreateDatabase(name: string, serverUrl = POSTGRES_SERVER_URL): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name must be a plain identifier: ${name}`);
  const admin = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return `${serverUrl}/${name}`;
}

/** Migrates and seeds (the demo tenants and users) with the app's own scripts, as a deployment would. */
export async function migrateAndSeed(env: NodeJS.ProcessEnv, options: { appDir?: string; seedPassword?: string } = {}): Promise<void> {
  const cwd = options.appDir ?? repoDir;
  await runNodeScript("migrate", [...TSX, "db/migrate-cli.ts"], { cwd, env });
  await runNodeScript("seed", [...TSX, "scripts/seed-demo-data.ts"], { cwd, env: { ...env, SEED_PASSWORD: options.seedPassword ?? "demo-password-1" } });
}

// ---------------------------------------------------------------------------------------------------------------
// The built app.

function newestSourceMtime(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|tsx|css|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const sub of ["app", "lib", "db", "components"]) if (existsSync(path.join(dir, sub))) walk(path.join(dir, sub));
  for (const file of ["proxy.ts", "next.config.mjs"]) if (existsSync(path.join(dir, file))) newest = Math.max(newest, statSync(path.join(dir, file)).mtimeMs);
  return newest;
}

/**
 * Runs `next build` in `appDir` unless its build is newer than every source (or `force`). Returns a note saying
 * which build is measured.
 */
export async function ensureBuilt(appDir = repoDir, options: { force?: boolean } = {}): Promise<string> {
  const buildId = path.join(appDir, ".next", "BUILD_ID");
  if (options.force || !existsSync(buildId) || newestSourceMtime(appDir) > statSync(buildId).mtimeMs) {
    console.log(`Building ${appDir === repoDir ? "the app" : appDir} (next build) ...`);
    const started = Date.now();
    await runNodeScript(`next-build-${path.basename(appDir)}`, ["node_modules/next/dist/bin/next", "build"], {
      cwd: appDir,
      env: { ...minimalEnv(), NODE_ENV: "production", NODE_PATH: path.join(repoDir, "node_modules") },
      timeoutMs: 900_000,
    });
    return `built by this run in ${Math.round((Date.now() - started) / 1000)} s, BUILD_ID ${readFileSync(buildId, "utf8").trim()}`;
  }
  return `existing build, BUILD_ID ${readFileSync(buildId, "utf8").trim()}`;
}

/** Which code was measured: the git commit, and whether the working tree had changes. */
export function appCommit(appDir = repoDir): string {
  const git = spawnSync("git", ["-C", appDir, "status", "--porcelain=v2", "--branch", "--untracked-files=no"], { encoding: "utf8" });
  const head = git.status === 0 ? /^# branch\.oid (\S+)/m.exec(git.stdout)?.[1] : undefined;
  if (!head) return "unknown";
  // The benchmarks' own result files change during a run: they say nothing about the code measured.
  const changed = git.stdout.split("\n").filter((l) => /^[12u] /.test(l) && !/ bench\/results[^/ ]*\.json$/.test(l));
  return changed.length > 0 ? `${head} with uncommitted changes` : head;
}

/** The environment of a production app instance on `databaseUrl`, with Intuit played by the emulator at `intuitUrl`. */
export function productionEnv(options: { databaseUrl: string; appUrl: string; intuitUrl: string; webhookVerifierToken?: string; extra?: EnvVars }): NodeJS.ProcessEnv {
  return {
    ...minimalEnv(),
    NODE_ENV: "production",
    DATABASE_URL: options.databaseUrl,
    APP_URL: options.appUrl,
    AUTH_SECRET: "built-app-auth-secret-that-is-long-enough-0123456789",
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    INTUIT_ENVIRONMENT: "sandbox",
    INTUIT_CLIENT_ID: "emulator-client-id",
    INTUIT_CLIENT_SECRET: "emulator-client-secret",
    INTUIT_DISCOVERY_URL: `${options.intuitUrl}/.well-known/openid_sandbox_configuration`,
    QBO_API_BASE_URL: options.intuitUrl,
    EMULATOR_URL: options.intuitUrl,
    INTUIT_WEBHOOK_VERIFIER_TOKEN: options.webhookVerifierToken ?? "built-app-webhook-verifier-token",
    ...options.extra,
  };
}

export interface BuiltApp extends Launched {
  url: string;
  port: number;
  env: NodeJS.ProcessEnv;
}

/** Starts the built app exactly as `npm start` does and waits until it answers. */
export async function startBuiltApp(options: { name?: string; appDir?: string; port?: number; env: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<BuiltApp> {
  const port = options.port ?? Number(new URL(options.env.APP_URL ?? "http://x").port || (await freePort()));
  const launched = launch(options.name ?? "app", process.execPath, [...(options.nodeArgs ?? []), ...nextStartArgv(["--port", String(port), "--hostname", "127.0.0.1"])], {
    cwd: options.appDir ?? repoDir,
    env: options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/login`, launched);
  return { ...launched, url, port, env: options.env };
}

/** The Intuit emulator (mocks/intuit/server.ts) as its own process: real HTTP between the app and "Intuit". */
export async function startEmulatorProcess(options: { name?: string; port?: number; env?: EnvVars } = {}): Promise<Launched & { url: string }> {
  const port = options.port ?? (await freePort());
  const launched = launch(options.name ?? "emulator", process.execPath, ["--import", "tsx", "mocks/intuit/server.ts"], {
    env: { ...minimalEnv(), EMULATOR_PORT: String(port), EMULATOR_ORIGIN: `http://127.0.0.1:${port}`, ...options.env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/.well-known/openid_sandbox_configuration`, launched);
  return { ...launched, url };
}

/** The tenant each cookie made by sessionCookie was signed in to: the one its console pages name (consoleTenant). */
const cookieTenants = new Map<string, string>();

/** A session cookie for `user`, as Auth.js would set it after sign-in (same secret, same salt). */
export async function sessionCookie(user: { id: string; tenantId: string; email: string; name: string }, authSecret: string): Promise<string> {
  const token = await encode({ token: { sub: user.id, userId: user.id, tenantId: user.tenantId, email: user.email, name: user.name }, secret: authSecret, salt: SESSION_COOKIE });
  const cookie = `${SESSION_COOKIE}=${token}`;
  cookieTenants.set(cookie, user.tenantId);
  return cookie;
}

/**
 * The header a console page sends with every request, naming the tenant it was rendered for (the app refuses a change
 * without it: contract, "Tenant binding"), for a cookie made by sessionCookie.
 */
export function consoleTenant(cookie: string): Record<string, string> {
  const tenantId = cookieTenants.get(cookie);
  if (!tenantId) throw new Error("consoleTenant: a cookie not made by sessionCookie");
  return { "x-qbc-tenant": tenantId };
}

// ---------------------------------------------------------------------------------------------------------------
// Memory.

/** The process and its descendants (next start forks its server). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

export function memoryKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process tree, in MB. */
export const rssMb = (root: number) => processTree(root).reduce((sum, pid) => sum + memoryKb(pid, "VmRSS"), 0) / 1024;
