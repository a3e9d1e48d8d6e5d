// The mail catcher as a process, for `npm run dev` (scripts/dev.ts starts it when SMTP_URL is not set):
//
//   npm run mail            → SMTP on 127.0.0.1:1025, the messages on http://localhost:1080
//
// Environment: MAIL_CATCHER_SMTP_PORT (1025), MAIL_CATCHER_WEB_PORT (1080). The app sends to port 1025 when SMTP_URL is
// unset in development (lib/env.ts); on another port, set SMTP_URL=smtp://127.0.0.1:<port> for the app too.
// Runs with the react-server condition (see package.json): lib/env.ts is marked server-only.

import { pathToFileURL } from "node:url";
import { z } from "zod";
import { DEV_MAIL_CATCHER } from "@/lib/env";
import { startMailCatcher } from "./catcher";

const envSchema = z.object({
  MAIL_CATCHER_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(DEV_MAIL_CATCHER.smtpPort),
  MAIL_CATCHER_WEB_PORT: z.coerce.number().int().min(0).max(65535).default(DEV_MAIL_CATCHER.webPort),
});

async function main(): Promise<void> {
  const ports = envSchema.parse(process.env);
  const catcher = await startMailCatcher({ smtpPort: ports.MAIL_CATCHER_SMTP_PORT, webPort: ports.MAIL_CATCHER_WEB_PORT });
  const readAt = catcher.webUrl.replace("//127.0.0.1:", "//localhost:");
  console.log(`Mail catcher: SMTP on ${catcher.smtpUrl}, read the mail at ${readAt} (nothing is delivered)`);
  const shutdown = () => {
    catcher.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error("Mail catcher failed to start:", error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
