// npm run bench:web - the web app's latency, measured in the browser (Debian chromium) against `next start`
// with its training worker, on a fresh SQLite file:
//   1. /label: navigation start -> first pair on screen;
//   2. /label: keypress -> next pair on screen (the next pair is preloaded), idle and during a training round;
//   3. API p95 while a training round runs in the worker (and the same requests with no round, for reference);
//   4. /label: a pair arriving in the queue (written to the database) -> on an idle labeller's screen;
//   5. the experiment page: navigation start -> charts shown, with 20,000 episodes stored (measureDashboardCharts).
// Writes the sections between <!-- bench:web:start --> and <!-- bench:web:end --> (1-4) and
// <!-- bench:web-dashboard:start --> and <!-- bench:web-dashboard:end --> (5) in BENCHMARKS.md.
//
//   BENCH_SKIP_BUILD=1 npm run bench:web              reuse the existing .next build
//   BENCH_WEB_ONLY=dashboard npm run bench:web        only the experiment page measurement (4)
import { execFileSync, execSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import os from "node:os";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../tests/e2e/chromium";
import { machineInfo, writeBenchmarkSection } from "../lib/cli/benchmarks-file";
import { openDb, type Db } from "../lib/server/db/client";
import { createPairs, insertTrajectories } from "../lib/server/labelling/pairs";

const PORT = Number(process.env.BENCH_PORT ?? 3290);
const BASE = `http://localhost:${PORT}`;
const DB = `/tmp/oprl-bench-web-${process.pid}.db`;
const FIRST_PAIR_RUNS = 12;
const KEYPRESSES = 25;
const KEYPRESSES_DURING = 40;
const ROUND_EPISODES = 5000;
const ARRIVALS = 20;

const EXPERIMENT = {
  preset: "default",
  seed: 7,
  maze: { kind: "random", rows: 10, cols: 10, seed: 3, wallDensity: 0.2 },
  shaping: { mode: "potential", beta: 0.5 },
  teacher: "oracle",
  labellingMode: "synthetic",
  labelsPerPair: 1,
  episodesPerRound: ROUND_EPISODES,
  pairsPerRound: 64,
  pairSelection: "disagreement",
  labelTimeLimitSec: 60,
};
/** The experiment people label in the benchmark (created at start). */
let LABEL_EXP = "";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}
const summary = (xs: number[]) => ({ n: xs.length, p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: Math.max(...xs) });
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : "–");

async function startServer() {
  if (!process.env.BENCH_SKIP_BUILD) {
    console.log("building (next build)…");
    execSync("npx next build", { stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  }
  // A server left on the port (a bench run that was killed leaves its server) would answer in this one's place.
  const stale = await fetch(`${BASE}/api/health`).then(
    () => true,
    () => false,
  );
  if (stale) throw new Error(`something already answers on port ${PORT} (a server left by an earlier run?): stop it, or set BENCH_PORT`);
  const child = spawn(process.execPath, ["--require", "./lib/server/http/peer-address.cjs", "node_modules/next/dist/bin/next", "start", "-p", String(PORT)], {
    env: { ...process.env, DATABASE_URL: `file:${DB}`, NEXT_TELEMETRY_DISABLED: "1", ADMIN_PASSWORD, SESSION_SECRET: `${randomUUID()}${randomUUID()}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  for (let i = 0; i < 120; i++) {
    try {
      // Ready once its warm-up is done (GET /api/health/ready answers 200), so the warm-up does not compete with what is measured.
      if ((await fetch(`${BASE}/api/health/ready`)).ok) return { child, log: () => log };
    } catch {
      // not up yet
    }
    await sleep(500);
  }
  throw new Error(`server did not start:\n${log}`);
}

const ADMIN_PASSWORD = randomUUID();
/** The admin's session (set after start); api() calls run as the admin unless given another cookie. */
let adminCookie = "";
const cookies = new Map<string, string>();

async function signIn(name: string, password: string): Promise<string> {
  const res = await fetch(`${BASE}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: BASE },
    body: JSON.stringify({ name, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${name}: ${res.status} ${await res.text()}`);
  return res.headers.get("set-cookie")!.split(";")[0];
}

/** The session cookie ("oprl_session=...") of a labeller account, made by the admin on first use. */
async function userCookie(name: string): Promise<string> {
  const hit = cookies.get(name);
  if (hit) return hit;
  const password = `pw-${name}-${randomUUID()}`;
  await api("/api/users", { method: "POST", body: JSON.stringify({ name, role: "labeler", password }) });
  const cookie = await signIn(name, password);
  cookies.set(name, cookie);
  return cookie;
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${BASE}${path}`, {
    ...init,
    headers: { "content-type": "application/json", origin: BASE, cookie: adminCookie, ...(init?.headers ?? {}) },
  });
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Records, inside the page, when a pair first shows and when the shown pair changes (at the next frame). */
const OBSERVER = `
  window.__bench = { firstPair: null, changes: [], keys: [], gaps: 0 };
  window.addEventListener("keydown", () => window.__bench.keys.push(performance.now()), true);
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid="pair"]');
    // No pair on screen after one was: a choice found no preloaded pair and waits for the server.
    if (!el) { if (window.__bench.lastId && !window.__bench.gap) { window.__bench.gap = true; window.__bench.gaps++; } return; }
    window.__bench.gap = false;
    const id = el.getAttribute("data-pair-id");
    if (window.__bench.lastId === id) return;
    window.__bench.lastId = id;
    requestAnimationFrame(() => {
      const t = performance.now();
      if (window.__bench.firstPair === null) window.__bench.firstPair = t;
      else window.__bench.changes.push(t);
    });
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-pair-id"] });
`;

/**
 * A new browser context (empty cache, as a first visit) at 1280x800, signed in with `cookie` ("name=value"), with
 * `initScript` run at each page load. `javaScript: false` turns the page's scripts off.
 */
async function signedInContext(browser: Browser, cookie: string, initScript?: string, javaScript = true): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: javaScript });
  const [name, ...value] = cookie.split("=");
  await context.addCookies([{ name, value: value.join("="), url: BASE }]);
  if (initScript) await context.addInitScript(initScript);
  return context;
}

async function labelPage(browser: Browser, user: string): Promise<Page> {
  const context = await signedInContext(browser, await userCookie(user), OBSERVER);
  // The first-visit guide is measured by the browser tests, not here.
  await context.addInitScript(() => window.localStorage.setItem("oprl.labelGuide.seen", "1"));
  return context.newPage();
}

async function firstPairTimes(browser: Browser): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < FIRST_PAIR_RUNS; i++) {
    const page = await labelPage(browser, `bench-first-${i}`);
    await page.goto(`${BASE}/label?experiment=${LABEL_EXP}`);
    await page.waitForFunction(() => (window as any).__bench.firstPair !== null, null, { timeout: 10_000 });
    // performance.now() counts from the navigation's start.
    if (i > 0) out.push(await page.evaluate(() => (window as any).__bench.firstPair as number)); // run 0 warms the server
    await page.context().close();
  }
  return out;
}

/**
 * Keypress -> next pair shown, `count` times or while `go()` holds (checked before each keypress). Returns the
 * times and how many keypresses found no preloaded pair (their time includes waiting for the server).
 */
async function keypressTimes(browser: Browser, user: string, count: number, go: () => boolean = () => true): Promise<{ times: number[]; unloaded: number }> {
  const page = await labelPage(browser, user);
  await page.goto(`${BASE}/label?experiment=${LABEL_EXP}`);
  try {
    await page.waitForFunction(() => (window as any).__bench.firstPair !== null, null, { timeout: 15_000 });
  } catch (err) {
    const text = (await page.locator("main").textContent())?.slice(0, 300);
    throw new Error(`no pair on /label for ${user}: ${text}`, { cause: err });
  }
  const out: number[] = [];
  const keys = ["ArrowLeft", "ArrowRight", "ArrowDown", "="];
  for (let i = 0; i < count && go(); i++) {
    const before = await page.evaluate(() => (window as any).__bench.changes.length as number);
    // The label's answer (it leases the pair shown and preloads the one after). The counts on screen change at the
    // keypress already (optimistically), so they cannot tell that the server has answered.
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/pairs\/[^/]+\/label$/.test(new URL(r.url()).pathname), {
      timeout: 15_000,
    });
    await page.keyboard.press(keys[i % keys.length]);
    await page.waitForFunction((n) => (window as any).__bench.changes.length > n, before, { timeout: 10_000 });
    const [key, shown] = await page.evaluate(() => {
      const b = (window as any).__bench;
      return [b.keys[b.keys.length - 1], b.changes[b.changes.length - 1]] as [number, number];
    });
    out.push(shown - key);
    // A person's pace (a judgement takes a second or more): the server has answered before the next choice.
    await answered;
    await sleep(150);
  }
  const unloaded = await page.evaluate(() => (window as any).__bench.gaps as number);
  await page.context().close();
  return { times: out, unloaded };
}

/**
 * A pair written to the queue (by this process, on the server's database file, as a round's storePairs does)
 * -> on the screen of a labeller idle on the empty-queue screen, wall clock to wall clock (one machine). Each
 * arrival comes at a random moment of the screen's polling; the labeller labels it and is idle again.
 */
async function arrivalTimes(browser: Browser, db: Db): Promise<number[]> {
  const { experiment } = await api<{ experiment: { id: string } }>("/api/experiments", {
    method: "POST",
    body: JSON.stringify({ ...EXPERIMENT, name: "bench: arrivals", labellingMode: "human", episodesPerRound: 20 }),
  });
  const run = (cells: number[]) => ({
    round: 0,
    policyVersion: 0,
    actions: cells.slice(1).map(() => 1),
    cells,
    rewards: cells.slice(1).map(() => 0),
    success: false,
  });
  const [a, b] = await insertTrajectories(db, experiment.id, [run([0, 1, 2]), run([0, 10, 20, 21])]);
  const page = await labelPage(browser, "bench-arrivals");
  await page.goto(`${BASE}/label?experiment=${experiment.id}`);
  await page.getByTestId("empty-queue").waitFor({ timeout: 15_000 });
  const out: number[] = [];
  for (let i = 0; i < ARRIVALS; i++) {
    await sleep(300 + Math.random() * 1200);
    const before = await page.evaluate(() => ((window as any).__bench.firstPair === null ? 0 : 1) + (window as any).__bench.changes.length);
    const arrived = Date.now();
    await createPairs(db, experiment.id, [{ leftId: a, rightId: b, selection: "random" }]);
    await page.waitForFunction((n) => ((window as any).__bench.firstPair === null ? 0 : 1) + (window as any).__bench.changes.length > n, before, {
      timeout: 10_000,
    });
    const shownAt = await page.evaluate(() => {
      const b = (window as any).__bench;
      return performance.timeOrigin + (b.changes.length ? b.changes[b.changes.length - 1] : b.firstPair);
    });
    out.push(shownAt - arrived);
    await page.keyboard.press("ArrowLeft");
    await page.getByTestId("empty-queue").waitFor({ timeout: 10_000 });
  }
  await page.context().close();
  return out;
}

type Probe = { name: string; run: () => Promise<unknown> };

async function timeProbes(probes: Probe[], until: () => boolean, maxRounds: number): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries(probes.map((p) => [p.name, []]));
  for (let i = 0; i < maxRounds && until(); i++) {
    for (const p of probes) {
      const t = performance.now();
      await p.run();
      times[p.name].push(performance.now() - t);
    }
    await sleep(25);
  }
  return times;
}

// --- 4. Experiment page to charts shown, with 20,000 episodes stored (issue 10; target p95 < 1 s) ---

const DASH_ROUNDS = 200;
const DASH_EPISODES_PER_ROUND = 100;
const DASH_PAGE_RUNS = 12;
const DASH_API_RUNS = 20;

/**
 * Records, inside the page, when the charts of the first screen (return and success curves) are first both drawn
 * (at the next frame; the server's HTML holds them), and when React has hydrated them (their card carries React's
 * fiber key: from then on they answer the pointer); the charts further down are drawn as they near the screen.
 */
const CHARTS_OBSERVER = `
  const hydrated = () => {
    const card = document.querySelector('[data-testid="chart-return"]');
    if (card && Object.keys(card).some((k) => k.startsWith("__reactFiber$"))) window.__hydrated = performance.now();
    else requestAnimationFrame(hydrated);
  };
  // Armed at each page load, and again before an in-app navigation (inAppNavigationTimes).
  let armed = null;
  window.__armCharts = () => {
    window.__charts = null;
    window.__hydrated = null;
    armed?.disconnect();
    armed = new MutationObserver((_, observer) => {
      if (!document.querySelector('[data-testid="chart-return"] .recharts-line-curve') || !document.querySelector('[data-testid="chart-success"] .recharts-line-curve')) return;
      observer.disconnect();
      requestAnimationFrame(() => { window.__charts = performance.now(); hydrated(); });
    });
    armed.observe(document, { subtree: true, childList: true });
  };
  window.__armCharts();
`;

/**
 * Experiment list -> click on the experiment -> its first screen's charts drawn, in one tab (the app's code cached, as
 * for someone already using it), timed from the click by the page's clock. Each run starts from a fresh load of the list.
 */
async function inAppNavigationTimes(browser: Browser, expId: string): Promise<number[]> {
  const context = await signedInContext(browser, adminCookie, CHARTS_OBSERVER);
  const tab = await context.newPage();
  const out: number[] = [];
  try {
    for (let i = 0; i < DASH_PAGE_RUNS; i++) {
      await tab.goto(`${BASE}/experiments`);
      const link = tab.locator(`a[href="/experiments/${expId}"]`);
      await link.waitFor();
      await tab.evaluate(() => {
        const w = window as any;
        w.__click = null;
        addEventListener("click", () => (w.__click ??= performance.now()), { capture: true, once: true });
        w.__armCharts();
      });
      await link.click();
      await tab.waitForFunction(() => (window as any).__charts !== null, null, { timeout: 30_000 });
      const t = await tab.evaluate(() => (window as any).__charts - (window as any).__click);
      if (i > 0) out.push(t); // the first run loads the page's code into the tab
    }
  } finally {
    await context.close();
  }
  return out;
}

/** The experiment page opened in a new tab of one browser context that has loaded it before (its code cached), as someone reopening it. */
async function returningVisitTimes(browser: Browser, expId: string): Promise<number[]> {
  const context = await signedInContext(browser, adminCookie, CHARTS_OBSERVER);
  const out: number[] = [];
  try {
    for (let i = 0; i <= DASH_PAGE_RUNS; i++) {
      const tab = await context.newPage();
      await tab.goto(`${BASE}/experiments/${expId}`);
      await tab.waitForFunction(() => (window as any).__charts !== null, null, { timeout: 30_000 });
      if (i > 0) out.push(await tab.evaluate(() => (window as any).__charts as number)); // the first visit fills the cache
      await tab.close();
    }
  } finally {
    await context.close();
  }
  return out;
}

/**
 * The same first visit with JavaScript off: the first contentful paint of the server's HTML alone (the charts are in
 * it). What the browser itself costs on this machine, beside which the page's code is measured.
 */
async function noScriptPaintTimes(browser: Browser, expId: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < DASH_PAGE_RUNS; i++) {
    const context = await signedInContext(browser, adminCookie, undefined, false);
    const tab = await context.newPage();
    await tab.goto(`${BASE}/experiments/${expId}`);
    // Playwright's evaluate runs with the page's scripts off (its waitForFunction does not): poll.
    const paint = () => tab.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
    let fcp = await paint();
    for (let tries = 0; fcp === null && tries < 300; tries++) {
      await sleep(100);
      fcp = await paint();
    }
    if (fcp === null) throw new Error("no first contentful paint within 30 s with JavaScript off");
    out.push(fcp);
    await context.close();
  }
  return out;
}

/** Seeds a 200-round, 20,000-episode history (scripts/seed-dashboard.ts) and times the experiment page and its dashboard API. */
async function measureDashboardCharts(browser: Browser): Promise<string> {
  console.log(`seeding ${DASH_ROUNDS * DASH_EPISODES_PER_ROUND} episodes…`);
  const seeded = execFileSync(
    "node_modules/.bin/tsx",
    ["--conditions=react-server", "scripts/seed-dashboard.ts", String(DASH_ROUNDS), String(DASH_EPISODES_PER_ROUND)],
    {
      env: { ...process.env, DATABASE_URL: `file:${DB}` },
      encoding: "utf8",
    },
  );
  const expId = /experiment (\S+)/.exec(seeded)![1];
  console.log(seeded.trim());

  console.log("measuring experiment page -> charts shown…");
  const page: number[] = [];
  const hydrated: number[] = [];
  // Where the time goes: the server's answer (first and last byte of the HTML) and the browser's first paint.
  const firstByte: number[] = [];
  const lastByte: number[] = [];
  const fcp: number[] = [];
  let htmlBytes = 0;
  let points = "";
  for (let i = 0; i < DASH_PAGE_RUNS; i++) {
    // A new context each time: no cached page code, as a first visit.
    const context = await signedInContext(browser, adminCookie, CHARTS_OBSERVER);
    const tab = await context.newPage();
    const response = await tab.goto(`${BASE}/experiments/${expId}`);
    htmlBytes = (await response!.body()).length;
    await tab.waitForFunction(() => (window as any).__charts !== null, null, { timeout: 30_000 });
    page.push(await tab.evaluate(() => (window as any).__charts as number));
    const phases = await tab.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      return { firstByte: nav.responseStart, lastByte: nav.responseEnd, fcp: fcp?.startTime ?? NaN };
    });
    firstByte.push(phases.firstByte);
    lastByte.push(phases.lastByte);
    fcp.push(phases.fcp);
    await tab.waitForFunction(() => (window as any).__hydrated !== null, null, { timeout: 30_000 });
    hydrated.push(await tab.evaluate(() => (window as any).__hydrated as number));
    points = (await tab.getByTestId("dashboards").getAttribute("data-episodes")) ?? "";
    await context.close();
  }

  console.log("measuring the experiment page in a new tab of a browser that has its code, and with JavaScript off…");
  const returning = await returningVisitTimes(browser, expId);
  const fcpNoJs = await noScriptPaintTimes(browser, expId);

  console.log("measuring experiment list -> experiment page (in-app link) -> charts shown…");
  const inApp = await inAppNavigationTimes(browser, expId);

  console.log("measuring the dashboard API…");
  const url = `/api/experiments/${expId}/dashboard`;
  const full: number[] = [];
  const unchanged: number[] = [];
  let bytes = 0;
  let version = "";
  for (let i = 0; i < DASH_API_RUNS; i++) {
    let t = performance.now();
    const res = await fetch(`${BASE}${url}`, { headers: { cookie: adminCookie } });
    const text = await res.text();
    full.push(performance.now() - t);
    bytes = text.length;
    version = (JSON.parse(text) as { version: string }).version;
    t = performance.now();
    const again = (await api<{ unchanged?: boolean }>(`${url}?since=${encodeURIComponent(version)}`)) ?? {};
    unchanged.push(performance.now() - t);
    if (!again.unchanged) throw new Error("the dashboard changed between two polls of a finished experiment");
  }

  const m = machineInfo();
  const table = (rows: [string, ReturnType<typeof summary>][]) =>
    [
      "| what | n | p50 | p95 | max |",
      "| --- | --- | --- | --- | --- |",
      ...rows.map(([what, x]) => `| ${what} | ${x.n} | ${ms(x.p50)} | ${ms(x.p95)} | ${ms(x.max)} |`),
    ].join("\n");
  const met = (x: ReturnType<typeof summary>) => (x.p95 < 1000 ? "met" : "**not met**");
  return [
    "## Web app: experiment page with 20,000 episodes stored (`npm run bench:web`)",
    "",
    `Measured ${m.date} on this machine (${m.cores} cores, ${m.cpu}, Node ${m.node}, load ${m.load} at the end), \`next start\` + worker, SQLite.`,
    `The experiment: ${DASH_ROUNDS} finished rounds of ${DASH_EPISODES_PER_ROUND} episodes (scripts/seed-dashboard.ts, the round runner's metric writers),`,
    `drawn as ${points} episode points (buckets of stored per-round sums) of a ${Math.round(bytes / 1024)} KiB dashboard answer. Each page load is a new`,
    'browser context (no cached page code); "charts shown" is the first animation frame with the first screen\'s charts (return and',
    "success curves) drawn, timed from navigation start by the page's own clock (charts further down are drawn as they near the screen).",
    `The server's HTML (${Math.round(htmlBytes / 1024)} KiB) holds these two charts as SVG (recharts 2); "hydrated" is when React has taken them over (tooltips, width).`,
    "The in-app row is the usual way there: one tab that has the app's code already, the experiment list shown, then a",
    "click on the experiment's link (Next fetches the page's server part and the browser draws the charts), timed from the click.",
    "The new-tab row reopens the page by its address in a browser that has the app's code cached (a bookmark, a link in chat);",
    "the JavaScript-off row is a new context's first paint of the same HTML without any script: the browser's own share.",
    `Target: charts shown p95 < 1 s: on a first visit in a new browser context ${met(summary(page.slice(1)))}, in a new tab ${met(summary(returning))}, from the list ${met(summary(inApp))}.`,
    "",
    table([
      ["navigation -> charts shown, first visit after the server started", summary(page.slice(0, 1))],
      ["navigation -> charts shown, later visits", summary(page.slice(1))],
      ["navigation -> first byte of the HTML, later visits", summary(firstByte.slice(1))],
      ["navigation -> last byte of the HTML, later visits", summary(lastByte.slice(1))],
      ["navigation -> first contentful paint, later visits", summary(fcp.slice(1))],
      ["navigation -> charts hydrated, later visits", summary(hydrated.slice(1))],
      ["same page with JavaScript off: navigation -> first contentful paint", summary(fcpNoJs)],
      ["new tab of a browser that has the app's code: navigation -> charts shown", summary(returning)],
      ["click on the experiment in /experiments -> charts shown (same tab)", summary(inApp)],
      ["GET dashboard, full answer", summary(full)],
      ["GET dashboard?since=VERSION, nothing changed (what the page polls)", summary(unchanged)],
    ]),
    "",
  ].join("\n");
}

async function main() {
  rmSync(DB, { force: true });
  const { child, log } = await startServer();
  adminCookie = await signIn("admin", ADMIN_PASSWORD);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    if (process.env.BENCH_WEB_ONLY === "dashboard") {
      // As in the full run, the demo's first round (queued on first start) is trained before anything is timed.
      for (let i = 0; i < 600; i++) {
        const demo = await api<{ rounds: { status: string }[] }>("/api/experiments/demo/rounds");
        if (demo.rounds.every((r) => r.status !== "queued" && r.status !== "running")) break;
        await sleep(500);
      }
      const section = await measureDashboardCharts(browser);
      writeBenchmarkSection("web-dashboard", section);
      console.log(section);
      return;
    }
    // First start creates the demo; then an experiment whose first (human-mode) round waits for people with plenty of pairs.
    await api("/api/experiments");
    const labelExp = await api<{ experiment: { id: string } }>("/api/experiments", {
      method: "POST",
      body: JSON.stringify({
        ...EXPERIMENT,
        name: "bench: labelling",
        labellingMode: "human",
        episodesPerRound: 400,
        pairsPerRound: 300,
        pairSelection: "random",
        labelTimeLimitSec: 3 * 3600,
      }),
    });
    LABEL_EXP = labelExp.experiment.id;
    await api(`/api/experiments/${LABEL_EXP}/rounds`, { method: "POST", body: "{}" });
    for (let i = 0; i < 600; i++) {
      const [{ rounds }, demo] = await Promise.all([
        api<{ rounds: { status: string; phase: string }[] }>(`/api/experiments/${LABEL_EXP}/rounds`),
        api<{ rounds: { status: string }[] }>("/api/experiments/demo/rounds"),
      ]);
      if (rounds[0]?.phase === "labelling" && demo.rounds.every((r) => r.status !== "queued" && r.status !== "running")) break;
      await sleep(500);
    }
    const db = await openDb(`file:${DB}`);
    console.log("measuring pair arrival -> idle labeller's screen…");
    const arrivals = await arrivalTimes(browser, db).finally(() => db.$disconnect());

    console.log("measuring /label first pair…");
    const firstPair = await firstPairTimes(browser);
    console.log("measuring keypress -> next pair (idle)…");
    const keyIdle = await keypressTimes(browser, "bench-keys-idle", KEYPRESSES);

    // Probes: what pages poll and what labellers send. Each labeller call uses its own user.
    const exp = await api<{ experiment: { id: string } }>("/api/experiments", {
      method: "POST",
      body: JSON.stringify({ ...EXPERIMENT, name: "bench: long synthetic round" }),
    });
    const expId = exp.experiment.id;
    let roundId = "";
    let labeller = 0;
    // Accounts made before timing anything: making one costs a bcrypt hash on the server.
    const apiLabellers = await Promise.all(Array.from({ length: 10 }, (_, i) => userCookie(`bench-api-${i}`)));
    const probes: Probe[] = [
      { name: "GET /api/experiments", run: () => api("/api/experiments") },
      { name: "GET /api/experiments/:id", run: () => api(`/api/experiments/${expId}`) },
      { name: "GET /api/experiments/:id/rounds", run: () => api(`/api/experiments/${expId}/rounds`) },
      { name: "GET /api/rounds/:id", run: () => (roundId ? api(`/api/rounds/${roundId}`) : Promise.resolve()) },
      { name: "GET /api/experiments/:id/dashboard", run: () => api(`/api/experiments/${expId}/dashboard`) },
      {
        name: "POST /api/label/next + POST label",
        run: async () => {
          const cookie = apiLabellers[labeller++ % apiLabellers.length];
          const n = await api<{ pair: { pairId: string } | null }>("/api/label/next", {
            method: "POST",
            headers: { cookie },
            body: JSON.stringify({ experimentId: LABEL_EXP }),
          });
          if (n.pair) {
            await api(`/api/pairs/${n.pair.pairId}/label`, {
              method: "POST",
              headers: { cookie },
              body: JSON.stringify({ labelId: randomUUID(), choice: "left", responseMs: 1000 }),
            });
          }
        },
      },
    ];

    console.log("measuring API with no round running…");
    const idle = await timeProbes(probes, () => true, 20);

    const { round } = await api<{ round: { id: string } }>(`/api/experiments/${expId}/rounds`, { method: "POST", body: "{}" });
    roundId = round.id;
    let status = "queued";
    let episodesDone = 0;
    const poll = setInterval(async () => {
      const r = await api<{ round: { status: string; episodesDone: number } }>(`/api/rounds/${roundId}`).catch(() => null);
      if (r) {
        status = r.round.status;
        episodesDone = r.round.episodesDone;
      }
    }, 300);
    // The labelling experiment's round waits for people meanwhile: it must not keep this one queued.
    const startBy = performance.now() + 120_000;
    while (status === "queued") {
      if (performance.now() > startBy) throw new Error(`round ${roundId} still queued after 120 s`);
      await sleep(100);
    }
    const roundStart = performance.now();
    console.log("measuring API during the round…");
    // About 15 s of requests, leaving the rest of the round for the keypress measurement.
    const probeEnd = performance.now() + 15_000;
    const during = await timeProbes(probes, () => status === "running" && performance.now() < probeEnd, 1000);
    console.log("measuring keypress -> next pair during the round…");
    // As many as the rest of the round allows (up to KEYPRESSES_DURING): each is pressed while the round runs.
    const keyDuring =
      status === "running" ? await keypressTimes(browser, "bench-keys-round", KEYPRESSES_DURING, () => status === "running") : { times: [], unloaded: 0 };
    const stillRunning = status === "running";
    while (status === "running") await sleep(200);
    clearInterval(poll);
    const roundSeconds = (performance.now() - roundStart) / 1000;
    console.log(`round ${status} after ${roundSeconds.toFixed(1)} s (${episodesDone} episodes)`);

    const duringAll = Object.values(during).flat();
    const idleAll = Object.values(idle).flat();
    const table = (rows: [string, ReturnType<typeof summary>][]) =>
      [
        "| what | n | p50 | p95 | max |",
        "| --- | --- | --- | --- | --- |",
        ...rows.map(([name, s]) => `| ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`),
      ].join("\n");

    const section = [
      "## Web app (`npm run bench:web`)",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${os.cpus().length} cores, Node ${process.version}), \`next start\` + its training worker, SQLite,`,
      "Debian chromium driven by playwright-core, 1280x800. Browser times come from the page's own clock (performance.now(),",
      "from navigation start; a pair counts as shown at the first animation frame after it is in the DOM).",
      "",
      "### /label (targets: first pair < 1 s after navigation; keypress -> next pair < 100 ms)",
      "",
      table([
        ["navigation -> first pair shown", summary(firstPair)],
        ["keypress -> next pair shown, server idle", summary(keyIdle.times)],
        ["keypress -> next pair shown, during a training round", summary(keyDuring.times)],
      ]),
      "",
      "The next pair is preloaded (peeked without a lease) and shown on the keypress; the label is posted in the",
      "background and its answer leases the pair on screen, so the keypress latency does not include a round trip.",
      "The keypress runs are on an experiment whose human-mode round is waiting for labels. Each choice comes 150 ms after",
      "the server answered the one before (a person takes a second or more), so the next pair is preloaded by then:",
      `keypresses that found none (and waited for the server): ${keyIdle.unloaded} of ${keyIdle.times.length} idle, ${keyDuring.unloaded} of ${keyDuring.times.length} during the round.`,
      "",
      "### /label: a new pair reaches an idle labeller (target: p95 < 2 s)",
      "",
      table([["pair written to the queue -> shown on the empty-queue screen", summary(arrivals)]]),
      "",
      `${ARRIVALS} arrivals, each at a random moment 0.3-1.5 s after the last was labelled: the idle screen asks`,
      "`GET /api/label/queue` every second and takes the pair with `POST /api/label/next` when one waits.",
      "",
      `### API during a training round (target: p95 < 100 ms)`,
      "",
      `Round: ${ROUND_EPISODES} episodes on a 10x10 random maze, ensemble-disagreement pair selection, run by the worker process`,
      `(${roundSeconds.toFixed(1)} s${stillRunning ? "" : ", finished before the keypress part"}). Requests one after another from one client, each timed end to end.`,
      "",
      table([
        ["all requests, no round running", summary(idleAll)],
        ["all requests, during the round", summary(duringAll)],
        ...Object.entries(during).map(([k, v]) => [`${k} (during)`, summary(v)] as [string, ReturnType<typeof summary>]),
      ]),
      "",
    ].join("\n");
    writeBenchmarkSection("web", section);
    console.log(section);
    const dashboardSection = await measureDashboardCharts(browser);
    writeBenchmarkSection("web-dashboard", dashboardSection);
    console.log(dashboardSection);
  } finally {
    await browser.close();
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await sleep(1000);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${DB}${suffix}`, { force: true });
    if (process.env.BENCH_VERBOSE) console.log(log());
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
