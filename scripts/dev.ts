// npm run dev: the whole product on http://localhost:3000 with nothing else to set up. The embedded database is
// migrated and seeded by the app at start (instrumentation.ts); when no Intuit app is configured, the local Intuit
// emulator (mocks/intuit) starts beside it so that "Connect to QuickBooks" works offline end to end.
import { spawn, type ChildProcess } from "node:child_process";

const children: ChildProcess[] = [];
const appUrl = (process.env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
const port = new URL(appUrl).port || "3000";

function start(command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  child.on("exit", (code) => {
    // One half without the other is useless: stop everything.
    shutdown(code ?? 0);
  });
  children.push(child);
  return child;
}

function shutdown(code: number): never {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

if (!process.env.INTUIT_CLIENT_ID) {
  const emulatorPort = process.env.EMULATOR_PORT ?? "4010";
  console.log(`No INTUIT_CLIENT_ID set: starting the local Intuit emulator on port ${emulatorPort}.`);
  start(process.execPath, ["--import", "tsx", "mocks/intuit/server.ts"], {
    EMULATOR_PORT: emulatorPort,
    EMULATOR_REDIRECT_URIS: process.env.INTUIT_REDIRECT_URI ?? `${appUrl}/api/quickbooks/callback`,
  });
}
start(process.execPath, ["node_modules/next/dist/bin/next", "dev", "--port", port], { NEXT_TELEMETRY_DISABLED: "1" });
