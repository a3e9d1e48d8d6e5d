// Fails when db/schema says something the migrations' latest snapshot does not: a schema change made without its
// migration, or a hand-written migration (drizzle-kit generate --custom copies the previous snapshot) whose snapshot
// was not brought up to date. Runs drizzle-kit generate on a copy of db/migrations and checks it finds nothing to do.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";

// drizzle-kit reads --out relative to the project, so the copy lives inside it (node_modules/.cache is ignored).
mkdirSync("node_modules/.cache", { recursive: true });
const copy = path.relative(process.cwd(), mkdtempSync("node_modules/.cache/qbc-migrations-"));
try {
  cpSync("db/migrations", copy, { recursive: true });
  const before = readdirSync(copy).filter((f) => f.endsWith(".sql")).length;
  execFileSync("npx", ["drizzle-kit", "generate", "--dialect", "postgresql", "--schema", "./db/schema/index.ts", "--out", copy, "--name", "drift"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const added = readdirSync(copy).filter((f) => f.endsWith(".sql")).length - before;
  if (added > 0) {
    console.error("db/schema and the migrations disagree: drizzle-kit would generate a migration for:");
    const drift = readdirSync(copy).filter((f) => f.includes("drift") && f.endsWith(".sql"));
    for (const file of drift) console.error(execFileSync("cat", [path.join(copy, file)], { encoding: "utf8" }));
    process.exitCode = 1;
  } else {
    console.log("db/schema and the migrations' latest snapshot agree.");
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
