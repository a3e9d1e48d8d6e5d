// The benchmarks' baseline app (bench/empty-next-app): copied next to the system's temporary files, given the product's
// node_modules (hard links: Turbopack refuses a symlinked node_modules) and built with the same `next build`. The
// copy is kept between runs, so it is built again only when its sources or the installed Next.js change.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuilt, repoDir } from "../scripts/built-app";

const source = path.join(import.meta.dirname, "empty-next-app");

export async function prepareEmptyApp(): Promise<{ dir: string; build: string }> {
  const next = (JSON.parse(readFileSync(path.join(repoDir, "node_modules/next/package.json"), "utf8")) as { version: string }).version;
  const dir = path.join(os.tmpdir(), `qbc-bench-empty-app-next-${next}`);
  mkdirSync(dir, { recursive: true });
  cpSync(source, dir, { recursive: true, preserveTimestamps: true });
  if (!existsSync(path.join(dir, "tsconfig.json"))) {
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", lib: ["dom", "esnext"], strict: true, noEmit: true, module: "esnext", moduleResolution: "bundler", jsx: "react-jsx", isolatedModules: true, skipLibCheck: true, esModuleInterop: true, plugins: [{ name: "next" }] }, include: ["**/*.ts", "**/*.tsx"], exclude: ["node_modules"] }, null, 2),
    );
  }
  if (!existsSync(path.join(dir, "node_modules"))) {
    const copy = spawnSync("cp", ["-al", path.join(repoDir, "node_modules"), path.join(dir, "node_modules")]);
    if (copy.status !== 0) throw new Error(`could not link node_modules into ${dir}: ${copy.stderr}`);
  }
  if (!existsSync(path.join(dir, "package.json"))) writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "qbc-bench-empty-app", private: true, type: "module" }));
  return { dir, build: await ensureBuilt(dir) };
}
