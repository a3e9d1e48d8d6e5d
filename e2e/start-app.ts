// Starts the built app for the browser tests on a fresh database: a new PostgreSQL database when DATABASE_URL is
// set, else a new embedded PGlite folder. Migrates and seeds, then hands over to `next start`.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { nextStartArgv } from "../scripts/next-start";
import { E2E } from "./config";

const env: NodeJS.ProcessEnv = { ...process.env, ...E2E.appEnv };

if (process.env.DATABASE_URL) {
  const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${E2E.databaseName} with (force)`);
  await admin.unsafe(`create database ${E2E.databaseName}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${E2E.databaseName}`;
  env.DATABASE_URL = url.href;
} else {
  const dir = path.resolve(".data/e2e-pglite");
  rmSync(dir, { recursive: true, force: true });
  env.PGLITE_DATA_DIR = dir;
}

const run = (args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: "inherit", env });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited with ${code}`))));
  });

await run(["--import", "tsx", "--conditions=react-server", "db/migrate-cli.ts"]);
await run(["--import", "tsx", "--conditions=react-server", "scripts/seed-demo-data.ts"]);
await run(["--import", "tsx", "--conditions=react-server", "e2e/seed-intuit-credentials.ts"]);
await run(["--import", "tsx", "--conditions=react-server", "e2e/seed-health-traffic.ts"]);
await run(["--import", "tsx", "--conditions=react-server", "e2e/seed-usage.ts"]);
const app = spawn(process.execPath, nextStartArgv(["--port", String(E2E.appPort)]), { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => app.kill(signal));
app.on("exit", (code) => process.exit(code ?? 0));
