// npm run dev: the whole product on http://localhost:3000 with nothing else to set up. The embedded database is
// migrated and seeded by the app at start (instrumentation.ts); when no Intuit app is configured, the local Intuit
// emulator (mocks/intuit) starts beside it so that "Connect to QuickBooks" works offline end to end; when no SMTP
// server is configured, the local mail catcher (mocks/mail) takes the notification email, readable on its web page.
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
if (!process.env.SMTP_URL) {
  // The app sends to the catcher's SMTP port when SMTP_URL is unset in development (lib/env.ts); the catcher prints
  // the address of its page. react-server: it reads its ports from lib/env.ts, which is marked server-only.
  console.log("No SMTP_URL set: starting the local mail catcher; the app's email is kept there and never delivered.");
  start(process.execPath, ["--import", "tsx", "--conditions=react-server", "mocks/mail/server.ts"], {});
}
start(process.execPath, ["node_modules/next/dist/bin/next", "dev", "--port", port], { NEXT_TELEMETRY_DISABLED: "1" });
