// The console page (/integrations/quickbooks) in the browser (issue 9): its first-load JavaScript, gzip, computed
// from the build manifests (Next 16 no longer prints it), against the empty Next.js app's `/` computed the same way;
// and the time to a visible sync indicator in Chromium (signed in, cold and warm cache, median of N loads) against
// the time to the empty page's text. Target: at most 40 kB of first-load JavaScript over the empty page.
//
//   node --import tsx --conditions=react-server bench/console-page.ts [--quick] [--results file] [--app-dir dir]
//     --loads 10 --wait-idle 0
// First-load JS of a route, for a Turbopack build of Next 16: the route's `rootMainFiles` (its
// .next/server/app/<route>/page/build-manifest.json: the framework and the Turbopack runtime) plus every chunk of its
// `entryJSFiles` (page_client-reference-manifest.js: the root layout, the route's layouts and error boundaries, the
// page), each distinct file once, each gzipped at level 9 (as Next's own figure was). Polyfills (nomodule) are left
// out: no modern browser loads them. The bytes Chromium actually downloaded for the page's scripts are shown beside.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createContext, runInContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { chromium, type Browser, type BrowserContext } from "@playwright/test";
import { SESSION_COOKIE } from "../scripts/built-app";
import { COMMON_OPTIONS, commonSettings, finish, machineState, median, positiveInteger, seededUser, startEmptyApp, startStack, watchdog } from "./harness";
import { line } from "./lines";

const { values } = parseArgs({ options: { ...COMMON_OPTIONS, loads: { type: "string" } } });
const settings = commonSettings("console-page", values);
const LOADS = positiveInteger(values.loads ?? (settings.quick ? "4" : "10"), "loads");
const BENCHMARK = "console page";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
watchdog(20);

// ---------------------------------------------------------------------------------------------------------------
// First-load JavaScript from the manifests.

interface FirstLoad {
  route: string;
  gzipKb: number;
  rawKb: number;
  chunks: Array<{ file: string; gzipKb: number; rawKb: number; framework: boolean }>;
}

function firstLoadJs(appDir: string, route: string): FirstLoad {
  const next = path.join(appDir, ".next");
  const pageDir = path.join(next, "server", "app", ...route.split("/").filter(Boolean));
  const build = JSON.parse(readFileSync(path.join(pageDir, "page", "build-manifest.json"), "utf8")) as { rootMainFiles: string[] };
  const sandbox = { globalThis: {} as { __RSC_MANIFEST?: Record<string, { entryJSFiles: Record<string, string[]> }> } };
  runInContext(readFileSync(path.join(pageDir, "page_client-reference-manifest.js"), "utf8"), createContext(sandbox));
  const manifest = sandbox.globalThis.__RSC_MANIFEST?.[`${route === "/" ? "" : route}/page`];
  if (!manifest) throw new Error(`no client reference manifest for ${route} in ${pageDir}`);
  const framework = new Set(build.rootMainFiles);
  const files = new Set([...build.rootMainFiles, ...Object.values(manifest.entryJSFiles).flat()]);
  const chunks = [...files].map((file) => {
    const bytes = readFileSync(path.join(next, file));
    return { file, gzipKb: gzipSync(bytes, { level: 9 }).byteLength / 1024, rawKb: bytes.byteLength / 1024, framework: framework.has(file) };
  });
  chunks.sort((a, b) => b.gzipKb - a.gzipKb);
  const sum = (pick: (c: (typeof chunks)[number]) => number) => Math.round(chunks.reduce((s, c) => s + pick(c), 0) * 10) / 10;
  return { route, gzipKb: sum((c) => c.gzipKb), rawKb: sum((c) => c.rawKb), chunks };
}

// ---------------------------------------------------------------------------------------------------------------
// Time to visible in Chromium.

/**
 * Recorded in the page from its first byte: when an element matching the selector was first in the document, and the
 * first contentful paint. Visible = the later of the two (present at first paint: painted then; added later: then).
 */
const OBSERVER = `(() => {
  const selector = window.__benchSelector;
  const state = (window.__bench = { insertedAt: null, fcp: null });
  const check = () => { if (state.insertedAt === null && document.querySelector(selector)) state.insertedAt = performance.now(); };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.name === "first-contentful-paint") state.fcp = e.startTime; }).observe({ type: "paint", buffered: true });
})();`;

interface Load {
  visibleMs: number;
  scriptKb: number;
}

async function loadOnce(context: BrowserContext, url: string, selector: string): Promise<Load> {
  const page = await context.newPage();
  await page.addInitScript(`window.__benchSelector = ${JSON.stringify(selector)};${OBSERVER}`);
  const scripts: Array<Promise<number>> = [];
  page.on("requestfinished", (request) => {
    if (request.resourceType() === "script") scripts.push(request.sizes().then((s) => s.responseBodySize));
  });
  const response = await page.goto(url, { waitUntil: "load" });
  if (!response || response.status() !== 200) throw new Error(`${url} answered ${response?.status()}`);
  await page.locator(selector).first().waitFor({ state: "visible", timeout: 30_000 });
  const state = () => page.evaluate(() => (window as unknown as { __bench: { insertedAt: number | null; fcp: number | null } }).__bench);
  const deadline = Date.now() + 30_000;
  let seen = await state();
  while ((seen.insertedAt === null || seen.fcp === null) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    seen = await state();
  }
  if (seen.insertedAt === null || seen.fcp === null) throw new Error(`${url}: no visible time recorded (${JSON.stringify(seen)})`);
  const visibleMs = Math.max(seen.insertedAt, seen.fcp);
  const scriptKb = (await Promise.all(scripts)).reduce((a, b) => a + b, 0) / 1024;
  await page.close();
  return { visibleMs, scriptKb };
}

/** `loads` cold loads (a fresh context each: empty cache) and `loads` warm ones (one context, after a first load). */
async function timeToVisible(browser: Browser, target: { url: string; origin: string; cookie?: string; selector: string }): Promise<{ cold: Load[]; warm: Load[] }> {
  const newContext = async () => {
    const context = await browser.newContext();
    if (target.cookie) {
      const [name, ...value] = target.cookie.split("=");
      await context.addCookies([{ name: name!, value: value.join("="), url: target.origin }]);
    }
    return context;
  };
  const cold: Load[] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await newContext();
    cold.push(await loadOnce(context, target.url, target.selector));
    await context.close();
  }
  const context = await newContext();
  await loadOnce(context, target.url, target.selector);
  const warm: Load[] = [];
  for (let i = 0; i < LOADS; i++) warm.push(await loadOnce(context, target.url, target.selector));
  await context.close();
  return { cold, warm };
}

// ---------------------------------------------------------------------------------------------------------------

console.log(`console page bench: first-load JS from the manifests, ${LOADS} cold and ${LOADS} warm loads in Chromium${settings.quick ? " (quick)" : ""}`);
const problems: string[] = [];
let acmeAccountant: Awaited<ReturnType<typeof seededUser>> | undefined;
const stack = await startStack({ database: "qbc_bench_console", appDir: settings.appDir, prepare: async (sql) => void (acmeAccountant = await seededUser(sql, "accountant@acme.test", "acme")) });
const empty = await startEmptyApp();

const consoleJs = firstLoadJs(settings.appDir, "/(console)/integrations/quickbooks");
const emptyJs = firstLoadJs(empty.dir, "/");
const overKb = Math.round((consoleJs.gzipKb - emptyJs.gzipKb) * 10) / 10;
console.log(`  first-load JS (gzip): console ${consoleJs.gzipKb} kB, empty page ${emptyJs.gzipKb} kB, ${overKb} kB over`);
for (const c of consoleJs.chunks) console.log(`    ${c.gzipKb.toFixed(1).padStart(6)} kB  ${c.file}${c.framework ? " (framework)" : ""}`);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const cookie = await stack.cookieFor(acmeAccountant!);
const machine = await machineState(settings.waitIdleS);
console.log(`  browser loads (load average ${machine.loadAverage1m}, machine busy ${machine.busyBeforePct ?? "?"}% of a core before them)`);
const consoleLoads = await timeToVisible(browser, { url: `${stack.app.url}/integrations/quickbooks`, origin: stack.app.url, cookie, selector: '[data-testid="sync-indicator"]' });
const emptyLoads = await timeToVisible(browser, { url: `${empty.url}/`, origin: empty.url, selector: "main" });
await browser.close();
if (!cookie.startsWith(`${SESSION_COOKIE}=`)) problems.push("unexpected session cookie name");

const visible = (loads: Load[]) => Math.round(median(loads.map((l) => l.visibleMs)));
const wireKb = (loads: Load[]) => Math.round(median(loads.map((l) => l.scriptKb)) * 10) / 10;
const figures = {
  console: { cold: visible(consoleLoads.cold), warm: visible(consoleLoads.warm), coldScriptKb: wireKb(consoleLoads.cold) },
  empty: { cold: visible(emptyLoads.cold), warm: visible(emptyLoads.warm), coldScriptKb: wireKb(emptyLoads.cold) },
};
console.log(`  time to visible (median of ${LOADS}): console cold ${figures.console.cold} ms, warm ${figures.console.warm} ms; empty page cold ${figures.empty.cold} ms, warm ${figures.empty.warm} ms`);
console.log(`  script bytes downloaded on a cold load (Chromium, compressed as served): console ${figures.console.coldScriptKb} kB, empty ${figures.empty.coldScriptKb} kB`);

const lines = [
  line({ benchmark: BENCHMARK, metric: "first-load JavaScript, gzip (from the build manifests)", value: consoleJs.gzipKb, unit: "kB", baseline: { label: "empty Next.js page", value: emptyJs.gzipKb }, target: { text: "≤ 40 kB over the empty page", met: overKb <= 40 }, note: `${overKb} kB over` }),
  line({ benchmark: BENCHMARK, metric: "time to a visible sync indicator, cold cache, Chromium (median)", value: figures.console.cold, unit: "ms", baseline: { label: "empty page's text", value: figures.empty.cold } }),
  line({ benchmark: BENCHMARK, metric: "time to a visible sync indicator, warm cache, Chromium (median)", value: figures.console.warm, unit: "ms", baseline: { label: "empty page's text", value: figures.empty.warm } }),
  line({ benchmark: BENCHMARK, metric: "script bytes downloaded on a cold load (as served)", value: figures.console.coldScriptKb, unit: "kB", baseline: { label: "empty page", value: figures.empty.coldScriptKb } }),
];
await stack.stop();
finish({
  settings,
  lines,
  problems,
  details: { build: stack.build, emptyAppBuild: empty.build, commit: stack.commit, machine, loads: LOADS, firstLoadJs: { console: consoleJs, empty: emptyJs, overKb }, timeToVisible: { console: consoleLoads, empty: emptyLoads }, figures },
});
