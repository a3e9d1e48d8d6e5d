// How the production server is started, read from `npm start` in package.json, so that the benchmarks and the
// end-to-end tests run the server exactly as a deployment does (same V8 flags) without repeating them.
import { readFileSync } from "node:fs";
import path from "node:path";

const repoDir = path.resolve(import.meta.dirname, "..");

/**
 * Node's argv for `next start` (without the node binary itself), e.g.
 * `["--max-semi-space-size=8", "node_modules/next/dist/bin/next", "start", "--port", "3100"]`.
 */
export function nextStartArgv(extra: string[] = []): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(repoDir, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const [node, ...rest] = scripts.start!.trim().split(/\s+/);
  if (node !== "node" || !rest.includes("start")) throw new Error(`package.json "start" must be "node [flags] <next bin> start", not ${JSON.stringify(scripts.start)}`);
  return [...rest, ...extra];
}
