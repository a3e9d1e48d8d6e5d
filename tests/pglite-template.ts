import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Where the test suite keeps a dump of a freshly migrated PGlite database: each test file's in-memory database starts
 * from it (PGLITE_TEMPLATE) instead of running every migration again in WebAssembly, about 5 s a file. Named by the
 * migrations it holds and PGlite's version, so a new migration or a PGlite upgrade makes a new one.
 */
export function pgliteTemplatePath(): string {
  const hash = createHash("sha256");
  const folder = path.resolve("db/migrations");
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".sql")).sort()) hash.update(file).update(readFileSync(path.join(folder, file)));
  hash.update(readFileSync(path.join(folder, "meta/_journal.json")));
  hash.update(JSON.parse(readFileSync("node_modules/@electric-sql/pglite/package.json", "utf8")).version);
  return path.resolve("node_modules/.cache/qbc-pglite", `${hash.digest("hex").slice(0, 16)}.tar`);
}
