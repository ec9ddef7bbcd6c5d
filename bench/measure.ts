/**
 * The measurements behind `npm run bench` (bench/run.js builds, installs VS Code, then runs this inside
 * scripts/netns-run.sh: a network namespace with only `lo`, so nothing here can reach IMDS or Azure).
 * Every figure comes from this one run, against emulators on 127.0.0.1 started here, one per data set.
 * Progress goes to stderr; the report goes to stdout and to BENCHMARKS.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type Emulator, type LoggedRequest, expectedAssignmentsFor, startEmulator } from '../test/emulator';
import {
  type Browser,
  CHROMIUM_PATH,
  CODE_SERVER_DIR,
  CODE_SERVER_VERSION,
  type CodeServer,
  assertNetworkIsolated,
  installVsix,
  launchBrowser,
  openActivity,
  openCommandPalette,
  openWorkbench,
  pollUntil,
  runCommand,
  startCodeServer,
  workbenchUrl,
} from '../test/e2e/harness';
import { scopeKind } from '../src/azure/roles';

// ------------------------------------------------------------------ settings

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const CLI = path.join(DIST, 'cli.js');
const VSIX = path.join(DIST, 'vm-identity.vsix');
const SDK_PEER = path.join(ROOT, 'bench', 'sdk-peer.mjs');
const MAXRSS = path.join(ROOT, 'bench', 'maxrss.cjs');
const SINGLE_FLIGHT = path.join(ROOT, 'bench', 'single-flight.ts');
const OUT_FILE = path.join(ROOT, 'BENCHMARKS.md');

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
/** Timed runs per tool and configuration (after one warm-up each). */
const RUNS = option('runs', 9);
const UI_RUNS = option('ui-runs', 7);
const SKIP_UI = flag('skip-ui');
const COMMAND = process.env.BENCH_COMMAND ?? `node --require tsx/cjs bench/measure.ts ${args.join(' ')}`.trim();

const PAGE_SIZE = 100; // the emulator's default; ARM does not document its page size for this list
const SIZES = { small: 12, medium: 2000, large: 20_000 } as const;
const CLI_LATENCIES = [0, 50];
const UI_ARM_LATENCY = 100;
const STATUS_ID = 'vm-identity.vm-identity.vmIdentity.status';
const SIDEBAR = '.part.sidebar';
const GROUP_LABELS: Record<string, string> = {
  root: 'Root (/)',
  managementGroup: 'Management groups',
  subscription: 'Subscription',
  resourceGroup: 'Resource groups',
  resource: 'Resources',
};

const startedAt = Number(process.env.BENCH_STARTED_MS) || Date.now();
const measureStartedAt = Date.now();
const progress = (m: string) => process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${m}\n`);

// ------------------------------------------------------------------ statistics

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '—');
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const range = (xs: number[]) => (xs.length ? `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}` : '—');
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');

// ------------------------------------------------------------------ processes

interface ProcResult {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  maxRssKb?: number;
}

/** The environment every measured child gets: only what points it at the emulator (no proxies, no NODE_OPTIONS). */
function childEnv(emu: Emulator, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
    VM_IDENTITY_ARM_ENDPOINT: emu.httpsUrl,
    VM_IDENTITY_GRAPH_ENDPOINT: emu.httpsUrl,
    BENCH_ARM_ENDPOINT: emu.httpsUrl,
    NODE_EXTRA_CA_CERTS: emu.caCertPath!,
    ...extra,
  };
}

/** Wall time from spawn to exit; stdout/stderr collected until the streams close. */
function timedRun(argv: string[], env: NodeJS.ProcessEnv, opts: { maxRss?: boolean } = {}): Promise<ProcResult> {
  const rssFile = opts.maxRss ? path.join(os.tmpdir(), `bench-maxrss-${process.pid}-${Math.random().toString(36).slice(2)}`) : undefined;
  const nodeArgs = rssFile ? ['--require', MAXRSS, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let exitedAt = 0;
    let code: number | null = null;
    const t0 = performance.now();
    const child: ChildProcess = spawn(process.execPath, nodeArgs, { env: rssFile ? { ...env, BENCH_MAXRSS_FILE: rssFile } : env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('exit', (c) => {
      exitedAt = performance.now();
      code = c;
    });
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', () => {
      let maxRssKb: number | undefined;
      if (rssFile && fs.existsSync(rssFile)) {
        maxRssKb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        fs.rmSync(rssFile, { force: true });
      }
      resolve({ ms: exitedAt - t0, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), maxRssKb });
    });
  });
}

const TOOLS = {
  cli: { label: '`vm-identity roles --json`', argv: [CLI, 'roles', '--json'] },
  sdk: { label: 'SDK peer (`bench/sdk-peer.mjs`)', argv: [SDK_PEER] },
} as const;
type ToolName = keyof typeof TOOLS;

// ------------------------------------------------------------------ emulator helpers

async function emulatorFor(assignments: number): Promise<Emulator> {
  return startEmulator({
    dataset: { assignments },
    listen: [{ host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 0, tls: true }],
    pageSize: PAGE_SIZE,
  });
}

function expectedIds(emu: Emulator): Set<string> {
  const d = emu.dataset;
  return new Set(expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo').map((a) => a.id.toLowerCase()));
}

/** Requests by endpoint (and non-200 statuses), in a stable order. */
function requestCounts(requests: LoggedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const key = r.status === 200 ? r.endpoint : `${r.endpoint} (${r.status || 'no answer'})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Network stages on the critical path, from the emulator's log: a request is one stage deeper than the
 * deepest request that had finished when it arrived. Meaningful with a latency (timestamps are in ms).
 */
function networkStages(requests: LoggedRequest[], service?: string): number {
  const rs = requests
    .filter((r) => r.service !== 'control')
    .map((r) => ({ service: r.service, start: Date.parse(r.time), end: Date.parse(r.time) + r.ms }))
    .sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  rs.forEach((r, i) => {
    let d = 0;
    // The log has whole milliseconds: allow 2 ms (requests of one stage start within a few ms of each other
    // and last at least the latency, 50 ms or more, so this never merges two stages).
    for (let j = 0; j < i; j++) if (rs[j].end <= r.start + 2) d = Math.max(d, depth[j]);
    depth.push(d + (service === undefined || r.service === service ? 1 : 0));
  });
  return Math.max(0, ...depth);
}

function sameIds(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function idsOf(stdout: string): Set<string> {
  const items = JSON.parse(stdout) as Array<{ id: string }>;
  return new Set(items.map((i) => i.id.toLowerCase()));
}

// ------------------------------------------------------------------ 1 + 2: CLI vs SDK

interface Pairing {
  assignments: number;
  latency: number;
  times: Record<ToolName, number[]>;
  ratios: number[];
  counts: Record<ToolName, Record<string, number>>;
  stages: Record<ToolName, number>;
  armStages: Record<ToolName, number>;
  idsMatch: boolean;
  idsCount: Record<ToolName, number>;
  expectedCount: number;
}

async function compareCliAndSdk(emu: Emulator, latency: number): Promise<Pairing> {
  emu.configure({ latencyMs: { arm: latency, imds: 0, graph: latency } });
  const env = childEnv(emu);
  const expected = expectedIds(emu);
  const p: Pairing = {
    assignments: expected.size,
    latency,
    times: { cli: [], sdk: [] },
    ratios: [],
    counts: { cli: {}, sdk: {} },
    stages: { cli: 0, sdk: 0 },
    armStages: { cli: 0, sdk: 0 },
    idsMatch: true,
    idsCount: { cli: 0, sdk: 0 },
    expectedCount: expected.size,
  };
  const once = async (tool: ToolName, record: boolean) => {
    emu.resetLog();
    const r = await timedRun([...TOOLS[tool].argv], env);
    if (r.code !== 0) throw new Error(`${tool} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
    const ids = idsOf(r.stdout);
    p.idsCount[tool] = ids.size;
    if (!sameIds(ids, expected)) p.idsMatch = false;
    const requests = [...emu.requests];
    p.counts[tool] = requestCounts(requests);
    if (latency > 0) {
      p.stages[tool] = networkStages(requests);
      p.armStages[tool] = networkStages(requests, 'arm');
    }
    if (record) p.times[tool].push(r.ms);
    return r.ms;
  };
  await once('cli', false);
  await once('sdk', false);
  for (let i = 0; i < RUNS; i++) {
    // Alternate the order so drift on a noisy machine hits both tools alike.
    const order: ToolName[] = i % 2 === 0 ? ['cli', 'sdk'] : ['sdk', 'cli'];
    const t: Partial<Record<ToolName, number>> = {};
    for (const tool of order) t[tool] = await once(tool, true);
    p.ratios.push(t.cli! / t.sdk!);
  }
  progress(`  ${expected.size} assignments, ARM ${latency} ms: CLI ${ms(median(p.times.cli))} ms, SDK ${ms(median(p.times.sdk))} ms, ratio ${ratio(median(p.ratios))}`);
  return p;
}

async function nodeStartup(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const r = await timedRun(['-e', '0'], { PATH: process.env.PATH });
    if (i > 0) times.push(r.ms);
  }
  return times;
}

// ------------------------------------------------------------------ 4: scale (CLI)

interface ScaleCli {
  assignments: number;
  pages: number;
  times: Record<ToolName, number[]>;
  rssKb: Record<ToolName, number[]>;
  idsMatch: boolean;
}

async function scaleCli(emu: Emulator): Promise<ScaleCli> {
  emu.configure({ latencyMs: { arm: 0, imds: 0, graph: 0 } });
  const env = childEnv(emu);
  const expected = expectedIds(emu);
  const s: ScaleCli = { assignments: expected.size, pages: 0, times: { cli: [], sdk: [] }, rssKb: { cli: [], sdk: [] }, idsMatch: true };
  const runs = Math.max(3, Math.ceil(RUNS / 2));
  for (let i = 0; i <= runs; i++) {
    const order: ToolName[] = i % 2 === 0 ? ['cli', 'sdk'] : ['sdk', 'cli'];
    for (const tool of order) {
      emu.resetLog();
      const r = await timedRun([...TOOLS[tool].argv], env, { maxRss: true });
      if (r.code !== 0) throw new Error(`${tool} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
      if (!sameIds(idsOf(r.stdout), expected)) s.idsMatch = false;
      if (tool === 'cli') s.pages = emu.requests.filter((q) => q.endpoint === 'arm-role-assignments').length;
      if (i === 0) continue; // warm-up
      s.times[tool].push(r.ms);
      if (r.maxRssKb) s.rssKb[tool].push(r.maxRssKb);
    }
  }
  progress(`  ${expected.size} assignments: CLI ${ms(median(s.times.cli))} ms, peak RSS ${(Math.max(...s.rssKb.cli) / 1024).toFixed(0)} MB`);
  return s;
}

// ------------------------------------------------------------------ 5: single flight

interface SingleFlight {
  mode: 'ours' | 'sdk';
  asks: number;
  fulfilled: number;
  rejected: number;
  distinctTokens: number;
  ms: number;
  imds: Record<string, number>;
  error?: string;
}

async function singleFlight(emu: Emulator): Promise<SingleFlight[]> {
  // IMDS answers after 20 ms, so every ask overlaps the first request.
  emu.configure({ latencyMs: { imds: 20, arm: 0, graph: 0 } });
  const results: SingleFlight[] = [];
  for (const mode of ['ours', 'sdk'] as const) {
    emu.resetLog();
    const r = await timedRun(['--require', 'tsx/cjs', SINGLE_FLIGHT, mode], childEnv(emu));
    if (r.code !== 0) throw new Error(`single-flight ${mode} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
    const line = JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<SingleFlight, 'mode' | 'imds'>;
    results.push({ mode, ...line, imds: requestCounts(emu.requests.filter((q) => q.service === 'imds')) });
  }
  emu.configure({ latencyMs: { imds: 0 } });
  return results;
}

// ------------------------------------------------------------------ 3 + 4: real VS Code

interface SignInRun {
  /** palette Enter (keydown in the renderer) → first frame with status bar signed in and the tree populated */
  total: number;
  status: number;
  tree: number;
  /** From the extension's log: Enter → "sign in requested" (renderer → extension host). */
  dispatch?: number;
  /** The extension's own figure: IdentityService.snapshot() wall time ("signed in … in X ms"). */
  snapshotMs?: number;
  /** Enter → the "signed in" log line (everything but rendering). */
  toLogged?: number;
  pages?: number;
  stages?: number;
}

interface UiSession {
  assignments: number;
  armLatency: number;
  runs: SignInRun[];
  limitMs: number;
  pages: number;
  requestsBeforeSignIn: number;
  groups: Array<{ label: string; count: number }>;
  verifiedRows?: number;
  expandBiggest?: { label: string; count: number; cold: number[]; warm: number[] };
  paletteOpenMs?: number[];
  /** Requests of the first (warm-up) and of the last sign-in, by endpoint. */
  firstCounts: Record<string, number>;
  counts: Record<string, number>;
}

function logFiles(userDataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'VM Identity.log') found.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return found.sort();
}

interface LogLine {
  at: number;
  text: string;
}

/** Lines of every VM Identity log, with their local wall-clock timestamps (ms precision). */
function readLog(userDataDir: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const f of logFiles(userDataDir)) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) \[\w+\] (.*)$/.exec(line);
      if (!m) continue;
      const [y, mo, d, h, mi, s, milli] = m.slice(1, 8).map(Number);
      lines.push({ at: new Date(y, mo - 1, d, h, mi, s, milli).getTime(), text: m[8] });
    }
  }
  return lines.sort((a, b) => a.at - b.at);
}

function activationTimes(userDataDir: string): number[] {
  return readLog(userDataDir).flatMap((l) => {
    const m = /^activated in ([\d.]+) ms/.exec(l.text);
    return m ? [Number(m[1])] : [];
  });
}

function groupsOf(emu: Emulator): Array<{ label: string; count: number }> {
  const d = emu.dataset;
  const counts = new Map<string, number>();
  for (const a of expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo')) {
    const label = GROUP_LABELS[scopeKind(a.scope)];
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return Object.values(GROUP_LABELS)
    .filter((l) => counts.has(l))
    .map((label) => ({ label, count: counts.get(label)! }));
}

/**
 * tsx (esbuild with keepNames) wraps named functions in `__name(...)`; functions sent to the page by
 * page.evaluate carry that call, so the page needs a harmless `__name`.
 */
async function nameShim(page: Page): Promise<void> {
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
}

async function sidebarRows(page: Page): Promise<string[]> {
  return page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

async function signOut(page: Page): Promise<void> {
  const status = page.locator(`[id="${STATUS_ID}" i]`);
  if (!/signed out/.test(await status.innerText())) await runCommand(page, 'VM Identity: Sign out');
  await pollUntil(async () => /signed out/.test(await status.innerText()) && (await sidebarRows(page)).length === 0, { timeout: 30_000, interval: 50, message: 'signed out with an empty tree' });
  // VS Code spaces a view's updates 200 ms apart; let the sign-out's update window pass so the sign-in is
  // timed on its own (a user does not sign in again within 200 ms of signing out).
  await new Promise((r) => setTimeout(r, 300));
}

/**
 * One sign-in from the command palette, timed inside the page: from the renderer's keydown of Enter on
 * "VM Identity: Sign in with VM identity" to the first animation frame in which (a) the status bar item shows
 * the signed-in identity and (b) the "Role assignments" node shows the expected count and its scope-group
 * rows are rendered with counts adding up to it. MutationObserver catches each DOM change as it happens.
 */
async function timedSignIn(page: Page, spec: { statusText: string; count: number; groups: string[] }): Promise<SignInRun & { enterEpoch: number }> {
  const title = 'VM Identity: Sign in with VM identity';
  const input = await openCommandPalette(page);
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-widget .monaco-list-row.focused .label-name', { hasText: new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) })
    .first()
    .waitFor({ state: 'visible', timeout: 15_000 });
  await nameShim(page);
  await page.evaluate(
    ({ statusSel, statusText, count, groups, sidebar }) => {
      const w = window as unknown as { __bench: Record<string, number> };
      const b = (w.__bench = { start: 0, startEpoch: 0, status: 0, tree: 0, done: 0, frame: 0 });
      const rowsSel = `${sidebar} .monaco-list-row[role="treeitem"]`;
      const check = () => {
        if (!b.start || b.done) return;
        const now = performance.now();
        if (!b.status) {
          const el = document.querySelector(statusSel);
          if (el && (el.textContent ?? '').includes(statusText)) b.status = now;
        }
        if (!b.tree) {
          const labels = Array.from(document.querySelectorAll(rowsSel), (r) => r.getAttribute('aria-label') ?? '');
          const total = labels.find((l) => l.startsWith('Role assignments'));
          if (total && total.slice('Role assignments'.length).trim().split(/\s/)[0] === String(count)) {
            let sum = 0;
            for (const l of labels) for (const g of groups) if (l.startsWith(`${g} `)) sum += Number(l.slice(g.length + 1).trim().split(/\s/)[0]) || 0;
            if (sum === count) b.tree = now;
          }
        }
        if (b.status && b.tree) {
          b.done = now;
          observer.disconnect();
          requestAnimationFrame(() => (b.frame = performance.now()));
        }
      };
      const observer = new MutationObserver(check);
      document.addEventListener(
        'keydown',
        (e) => {
          if (e.key === 'Enter' && !b.start) {
            b.start = performance.now();
            b.startEpoch = performance.timeOrigin + b.start;
            observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
          }
        },
        { capture: true, once: true },
      );
    },
    { statusSel: `[id="${STATUS_ID}" i]`, statusText: spec.statusText, count: spec.count, groups: spec.groups, sidebar: SIDEBAR },
  );
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (window as unknown as { __bench: { frame: number } }).__bench.frame > 0, undefined, { timeout: 180_000, polling: 100 });
  const b = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> }).__bench);
  return { total: b.frame - b.start, status: b.status - b.start, tree: b.tree - b.start, enterEpoch: b.startEpoch };
}

/** Clicks a group's twistie and times (in the page) until its first child row is rendered. */
async function timedExpand(page: Page, label: string, firstChild: string): Promise<number> {
  const row = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-label^="${label} "]`).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  if ((await row.getAttribute('aria-expanded')) === 'true') {
    await row.locator('.monaco-tl-twistie').click();
    await pollUntil(async () => (await row.getAttribute('aria-expanded')) === 'false', { timeout: 10_000 });
  }
  await nameShim(page);
  await page.evaluate(
    ({ sidebar, firstChild }) => {
      const w = window as unknown as { __bench: Record<string, number> };
      const b = (w.__bench = { start: 0, done: 0, frame: 0 });
      const rowsSel = `${sidebar} .monaco-list-row[role="treeitem"]`;
      const observer = new MutationObserver(() => {
        if (b.done) return;
        if (Array.from(document.querySelectorAll(rowsSel)).some((r) => (r.getAttribute('aria-label') ?? '').startsWith(firstChild))) {
          b.done = performance.now();
          observer.disconnect();
          requestAnimationFrame(() => (b.frame = performance.now()));
        }
      });
      document.addEventListener(
        'mousedown',
        () => {
          if (b.start) return;
          b.start = performance.now();
          observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        },
        { capture: true, once: true },
      );
    },
    { sidebar: SIDEBAR, firstChild },
  );
  await row.locator('.monaco-tl-twistie').click();
  await page.waitForFunction(() => (window as unknown as { __bench: { frame: number } }).__bench.frame > 0, undefined, { timeout: 60_000, polling: 100 });
  const b = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> }).__bench);
  return b.frame - b.start;
}

async function collapse(page: Page, label: string): Promise<void> {
  const row = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-label^="${label} "]`).first();
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
  await pollUntil(async () => (await row.getAttribute('aria-expanded')) === 'false', { timeout: 10_000, message: `row "${label}" folded` });
}

/** F1 → the command palette's input is rendered (timed in the page). */
async function timedPaletteOpen(page: Page): Promise<number> {
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
  await nameShim(page);
  await page.evaluate(() => {
    const w = window as unknown as { __bench: Record<string, number> };
    const b = (w.__bench = { start: 0, done: 0, frame: 0 });
    const visible = () => {
      const el = document.querySelector('.quick-input-widget') as HTMLElement | null;
      return !!el && el.style.display !== 'none' && el.offsetParent !== null && !!document.querySelector('.quick-input-widget .quick-input-box input');
    };
    const observer = new MutationObserver(() => {
      if (!b.start || b.done || !visible()) return;
      b.done = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => (b.frame = performance.now()));
    });
    document.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'F1' && !b.start) {
          b.start = performance.now();
          observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        }
      },
      { capture: true, once: true },
    );
  });
  await page.keyboard.press('F1');
  await page.waitForFunction(() => (window as unknown as { __bench: { frame: number } }).__bench.frame > 0, undefined, { timeout: 30_000, polling: 50 });
  const b = await page.evaluate(() => (window as unknown as { __bench: Record<string, number> }).__bench);
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  return b.frame - b.start;
}

async function uiSession(
  browser: Browser,
  extensionsDir: string,
  workRoot: string,
  emu: Emulator,
  opts: { armLatency: number; runs: number; verifyEveryRow?: boolean; responsiveness?: boolean; reloads?: number },
  activations: number[],
): Promise<UiSession> {
  const d = emu.dataset;
  emu.configure({ latencyMs: { imds: 0, arm: 0, graph: 0 } });
  const folder = path.join(workRoot, `workspace-${d.roleAssignments.length}`);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'README.md'), '# bench\n');
  // The extension talks plain http to the loopback emulator (allowed for loopback only), as the e2e tests do.
  const server: CodeServer = await startCodeServer({
    folder,
    extensionsDir,
    env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl, VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl, VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl },
    settings: { 'vmIdentity.signInAutomatically': false, 'workbench.sideBar.location': 'left' },
  });
  const page = browser.page;
  const expected = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
  const groups = groupsOf(emu);
  try {
    emu.resetLog();
    const loads = 1 + (opts.reloads ?? 0);
    for (let i = 0; i < loads; i++) {
      const before = activationTimes(server.userDataDir).length;
      if (i === 0) await openWorkbench(page, workbenchUrl(server, { folder }));
      else {
        await page.reload({ waitUntil: 'domcontentloaded' });
        await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      }
      await pollUntil(() => activationTimes(server.userDataDir).length > before, { timeout: 60_000, message: 'the extension logged its activation' });
    }
    activations.push(...activationTimes(server.userDataDir));
    await page.locator(`[id="${STATUS_ID}" i]`).filter({ hasText: 'signed out' }).waitFor({ state: 'visible', timeout: 60_000 });
    await openActivity(page, 'VM Identity');
    await new Promise((r) => setTimeout(r, 500));
    const requestsBeforeSignIn = emu.requests.filter((r) => r.service !== 'control').length;

    // The biggest scope group and its first row (the tree sorts by scope, then role name).
    let big: { label: string; count: number; first: string } | undefined;
    if (opts.responsiveness) {
      const biggest = [...groups].sort((a, b) => b.count - a.count)[0];
      const roleName = new Map(d.roleDefinitions.map((r) => [r.name.toLowerCase(), r.properties.roleName]));
      const named = expected
        .filter((x) => GROUP_LABELS[scopeKind(x.scope)] === biggest.label)
        .map((a) => ({ scope: a.scope.toLowerCase(), name: roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase()) ?? '', last: a.scope.split('/').pop()! }))
        .sort((a, b) => a.scope.localeCompare(b.scope) || a.name.localeCompare(b.name));
      big = { ...biggest, first: `${named[0].name} — ${named[0].last}` };
    }
    const coldExpands: number[] = [];

    emu.configure({ latencyMs: { imds: 0, arm: opts.armLatency, graph: opts.armLatency } });
    const runs: SignInRun[] = [];
    let pages = 0;
    let firstCounts: Record<string, number> = {};
    let counts: Record<string, number> = {};
    for (let i = 0; i <= opts.runs; i++) {
      await signOut(page);
      emu.resetLog();
      const logBefore = readLog(server.userDataDir).length;
      const r = await timedSignIn(page, { statusText: d.vm.name, count: expected.length, groups: groups.map((g) => g.label) });
      pages = emu.requests.filter((q) => q.endpoint === 'arm-role-assignments').length;
      counts = requestCounts(emu.requests.filter((q) => q.service !== 'control'));
      if (i === 0) firstCounts = counts;
      const run: SignInRun = { total: r.total, status: r.status, tree: r.tree, pages, stages: opts.armLatency > 0 ? networkStages(emu.requests, 'arm') : undefined };
      const fresh = await pollUntil(() => {
        const lines = readLog(server.userDataDir).slice(logBefore);
        return lines.some((l) => l.text.startsWith('signed in')) ? lines : undefined;
      }, { timeout: 10_000, interval: 50 }).catch(() => [] as LogLine[]);
      const requested = fresh.find((l) => l.text === 'sign in requested');
      const done = fresh.find((l) => l.text.startsWith('signed in'));
      if (requested) run.dispatch = requested.at - r.enterEpoch;
      if (done) {
        run.toLogged = done.at - r.enterEpoch;
        const m = / in (\d+) ms$/.exec(done.text);
        if (m) run.snapshotMs = Number(m[1]);
      }
      if (i > 0) runs.push(run); // the first sign-in warms up the extension host's code paths
      if (big && i > 0) {
        // First unfolding of the biggest group after this sign-in: its children are built now.
        coldExpands.push(await timedExpand(page, big.label, big.first));
        await collapse(page, big.label);
      }
      progress(`  UI ${expected.length} assignments, ARM ${opts.armLatency} ms, run ${i}${i === 0 ? ' (warm-up)' : ''}: ${ms(r.total)} ms (status ${ms(r.status)}, tree ${ms(r.tree)})`);
    }
    const session: UiSession = {
      assignments: expected.length,
      armLatency: opts.armLatency,
      runs,
      pages,
      limitMs: 0 + pages * opts.armLatency,
      requestsBeforeSignIn,
      groups,
      firstCounts,
      counts,
    };
    emu.configure({ latencyMs: { imds: 0, arm: 0, graph: 0 } });

    if (opts.verifyEveryRow) {
      // Every role, as the e2e test checks it: unfold each group, find each "<role> — <scope name>" row.
      const roleName = new Map(d.roleDefinitions.map((r) => [r.name.toLowerCase(), r.properties.roleName]));
      const seen = new Set<string>();
      for (const g of groups) {
        const row = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-label^="${g.label} "]`).first();
        if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
        for (const a of expected.filter((x) => GROUP_LABELS[scopeKind(x.scope)] === g.label)) {
          const label = `${roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase())} — ${a.scope.split('/').pop()}`;
          await pollUntil(async () => (await sidebarRows(page)).some((l) => l.startsWith(label)), { timeout: 10_000, message: `row ${label}` });
          seen.add(a.id);
        }
        await row.locator('.monaco-tl-twistie').click();
      }
      session.verifiedRows = seen.size;
    }

    if (big) {
      // With the group loaded, re-expanding it and opening the palette (over a tree holding all its rows).
      const warm: number[] = [];
      for (let i = 0; i < 3; i++) warm.push(await timedExpand(page, big.label, big.first));
      const palette: number[] = [];
      for (let i = 0; i < 5; i++) palette.push(await timedPaletteOpen(page));
      session.expandBiggest = { label: big.label, count: big.count, cold: coldExpands, warm };
      session.paletteOpenMs = palette;
      progress(`  expand "${big.label}" (${big.count}): first ${ms(median(coldExpands))} ms, again ${ms(median(warm))} ms; palette opens in ${ms(median(palette))} ms`);
    }
    return session;
  } finally {
    await server.stop();
  }
}

// ------------------------------------------------------------------ environment

function tryExec(file: string, argv: string[]): string {
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
  } catch (e) {
    const out = (e as { stdout?: string }).stdout?.trim();
    return out || 'unknown';
  }
}

function pkgVersion(name: string, from = ROOT): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [from] }), 'utf8')) as { version: string }).version;
  } catch {
    try {
      let dir = path.dirname(require.resolve(name, { paths: [from] }));
      while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
      return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  }
}

function environment(): string[] {
  const cpus = os.cpus();
  const vscodeVersion = (() => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'lib', 'vscode', 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  })();
  const chromium = tryExec(CHROMIUM_PATH, ['--version']).split('\n').filter((l) => /chromium/i.test(l)).pop() ?? 'unknown';
  const commit = tryExec('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = tryExec('git', ['-C', ROOT, 'status', '--porcelain']) ? ' + uncommitted changes' : '';
  const sdkPkgs = ['@azure/identity', '@azure/msal-node', '@azure/arm-authorization', '@azure/core-rest-pipeline', '@azure/core-client'];
  return [
    `- **Machine**: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${os.type()} ${os.release()} (${tryExec('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'])})`,
    `- **Versions**: Node ${process.version}; npm ${process.env.BENCH_NPM_VERSION ?? tryExec('npm', ['--version'])}; code-server ${CODE_SERVER_VERSION} (VS Code ${vscodeVersion}); ${chromium}; playwright-core ${pkgVersion('playwright-core')}; esbuild ${pkgVersion('esbuild')}`,
    `- **SDK peer**: ${sdkPkgs.map((p) => `${p} ${pkgVersion(p, path.dirname(require.resolve('@azure/identity', { paths: [ROOT] })))}`).join(', ')}`,
    `- **Code**: vm-identity ${(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version} at ${commit}${dirty}; production bundles from \`npm run package\``,
    `- **Command**: \`${COMMAND}\``,
  ];
}

// ------------------------------------------------------------------ report

function countsTable(pairs: Pairing[]): string[] {
  const byTool = (tool: ToolName, p: Pairing) => p.counts[tool];
  const endpoints = [...new Set(pairs.flatMap((p) => [...Object.keys(p.counts.cli), ...Object.keys(p.counts.sdk)]))].sort();
  const cols = pairs.flatMap((p) => (['cli', 'sdk'] as const).map((t) => ({ p, t })));
  const lines = [
    `| endpoint | ${cols.map(({ p, t }) => `${t === 'cli' ? 'CLI' : 'SDK'} @ ${p.assignments}`).join(' | ')} |`,
    `|---|${cols.map(() => '--:').join('|')}|`,
  ];
  for (const e of endpoints) lines.push(`| ${e} | ${cols.map(({ p, t }) => String(byTool(t, p)[e] ?? 0)).join(' | ')} |`);
  lines.push(`| **total** | ${cols.map(({ p, t }) => `**${Object.values(byTool(t, p)).reduce((a, b) => a + b, 0)}**`).join(' | ')} |`);
  return lines;
}

function renderReport(r: {
  node: number[];
  pairs: Pairing[];
  scale: ScaleCli;
  single: SingleFlight[];
  sizes: { extension: number; cli: number; vsix: number };
  ui?: { sessions: UiSession[]; activations: number[]; error?: string };
  totalMs: number;
  measureMs: number;
}): string {
  const L: string[] = [];
  const nodeMs = median(r.node);
  const pair = (n: number, lat: number) => r.pairs.find((p) => p.assignments === n && p.latency === lat);
  const headline = (n: number, lat: number) => {
    const p = pair(n, lat);
    return p ? ratio(median(p.ratios)) : '—';
  };
  const smallN = r.pairs[0]?.assignments ?? SIZES.small;
  const mediumN = r.pairs.find((p) => p.assignments > smallN)?.assignments ?? SIZES.medium;

  L.push('# Benchmarks', '');
  L.push(`Generated by \`npm run bench\` on ${new Date(measureStartedAt).toISOString()}. Total run time ${(r.totalMs / 1000).toFixed(0)} s (build and VS Code setup included; measurements ${(r.measureMs / 1000).toFixed(0)} s).`);
  L.push('Every figure below comes from this one run, against the emulator (`test/emulator`) on 127.0.0.1, inside a network namespace with only `lo`. Times are medians over interleaved runs; ratios are the median of pair-by-pair ratios (each CLI run against the SDK run next to it), because the machine is noisy: compare within this file, never across runs.', '');
  L.push(...environment(), '');

  L.push('## Headline', '');
  L.push(`- CLI vs the official SDK, whole process: **${headline(smallN, 0)}** the SDK's time at ${smallN} assignments and **${headline(mediumN, 0)}** at ${mediumN.toLocaleString('en-US')} (ARM answering at once); **${headline(smallN, 50)}** and **${headline(mediumN, 50)}** with 50 ms per ARM request.`);
  for (const s of r.ui?.sessions.filter((x) => x.limitMs > 0) ?? []) {
    const t = median(s.runs.map((x) => x.total));
    L.push(`- VS Code, ${s.assignments.toLocaleString('en-US')} assignments (${s.pages} page${s.pages === 1 ? '' : 's'}), ARM at ${s.armLatency} ms per request: sign-in → tree populated in **${ms(t)} ms** = **${ratio(t / s.limitMs)}** the network limit of ${s.limitMs} ms.`);
  }
  if (r.ui?.activations.length) L.push(`- \`activate()\`: **${ms(median(r.ui.activations))} ms**; extension bundle **${kb(r.sizes.extension)}**.`);
  const ours = r.single.find((s) => s.mode === 'ours');
  if (ours) L.push(`- 100 concurrent token asks → **${ours.imds['imds-token'] ?? 0}** IMDS request.`);
  L.push(`- ${r.scale.assignments.toLocaleString('en-US')} assignments: CLI in **${ms(median(r.scale.times.cli))} ms**, peak RSS **${(Math.max(...r.scale.rssKb.cli) / 1024).toFixed(0)} MB**.`, '');

  // ---- 1
  L.push('## 1. CLI vs the official SDK', '');
  L.push(`Both do the same job in one process and print the same JSON: token, instance metadata, the role assignments at the subscription with \`$filter=assignedTo('{oid}')\` (every page, ${PAGE_SIZE} per page — the emulator's default), and the role names.`);
  L.push('- **CLI**: `node dist/cli.js roles --json` (the esbuild production bundle). Env: `AZURE_POD_IDENTITY_AUTHORITY_HOST`=emulator http URL, `VM_IDENTITY_ARM_ENDPOINT`/`VM_IDENTITY_GRAPH_ENDPOINT`=emulator https URL, `NODE_EXTRA_CA_CERTS`=emulator test CA.');
  L.push('- **SDK peer**: `node bench/sdk-peer.mjs`, modules loaded from node_modules as an SDK user runs them. `ManagedIdentityCredential` (IMDS via `AZURE_POD_IDENTITY_AUTHORITY_HOST`, which @azure/identity/MSAL honour; with it set and `sendProbeRequest` off by default, no availability probe is sent and there is no probe timeout) ‖ a plain `http.get` of `/metadata/instance?api-version=2021-02-01` with `Metadata: true`; then `AuthorizationManagementClient` (`endpoint` and `$host` = the emulator\'s https URL, `credentialScopes: ["https://management.azure.com/.default"]` so the token audience stays ARM\'s) `roleAssignments.listForScope("subscriptions/{sub}", {filter})` (`for await` over every page); then `roleDefinitions.getById(id)` once per distinct role definition id, all in parallel (`Promise.all`) — what a careful SDK user writes. Same env as the CLI plus `BENCH_ARM_ENDPOINT`.');
  L.push(`- Whole-process wall time, spawn → exit, ${RUNS} runs per cell after one warm-up each, CLI and SDK interleaved (alternating order). \`node -e 0\` takes **${ms(nodeMs)} ms** (median) here: that much of every figure is Node's own start.`, '');
  L.push('| assignments | ARM latency | CLI median (range) ms | SDK median (range) ms | CLI/SDK (pairwise median) | same assignment ids |');
  L.push('|--:|--:|--:|--:|--:|:--|');
  for (const p of r.pairs) {
    L.push(`| ${p.assignments.toLocaleString('en-US')} | ${p.latency} ms | ${ms(median(p.times.cli))} (${range(p.times.cli)}) | ${ms(median(p.times.sdk))} (${range(p.times.sdk)}) | **${ratio(median(p.ratios))}** | ${p.idsMatch ? `yes: ${p.idsCount.cli} = ${p.idsCount.sdk} = expected ${p.expectedCount} (set equality)` : `**NO** (CLI ${p.idsCount.cli}, SDK ${p.idsCount.sdk}, expected ${p.expectedCount})`} |`);
  }
  L.push('');
  L.push('Network stages on the critical path (from the emulator log of the 50 ms runs: a request is one stage deeper than the deepest one finished before it arrived), and how close each tool gets to its own network limit (`node -e 0` + ARM stages × 50 ms):', '');
  L.push('| assignments | tool | stages (all / ARM) | limit ms | measured ms | measured / limit |');
  L.push('|--:|:--|--:|--:|--:|--:|');
  for (const p of r.pairs.filter((x) => x.latency > 0)) {
    for (const t of ['cli', 'sdk'] as const) {
      const limit = nodeMs + p.armStages[t] * p.latency;
      L.push(`| ${p.assignments.toLocaleString('en-US')} | ${t === 'cli' ? 'CLI' : 'SDK'} | ${p.stages[t]} / ${p.armStages[t]} | ${ms(limit)} | ${ms(median(p.times[t]))} | ${ratio(median(p.times[t]) / limit)} |`);
    }
  }
  L.push('');

  // ---- 2
  L.push('## 2. Requests per job', '');
  L.push('From the emulator\'s request log, one job each (identical in every run), by endpoint:', '');
  L.push(...countsTable(r.pairs.filter((p) => p.latency === 0)), '');
  L.push('The CLI lists the subscription\'s role definitions once (one request, in parallel with the first page of assignments) instead of one GET per distinct role; both need one token and one metadata request.', '');
  const uiForCounts = r.ui?.sessions.filter((x) => x.armLatency > 0) ?? [];
  if (uiForCounts.length) {
    L.push('The extension\'s sign-in in VS Code (section 3) also reads the VM\'s identity block and the Graph display name (a second token, for Graph). First sign-in of the window, and a later one (signed out in between: tokens forgotten, the subscription\'s role definitions remembered):', '');
    const cols = uiForCounts.flatMap((x) => [
      { title: `first @ ${x.assignments}`, c: x.firstCounts },
      { title: `later @ ${x.assignments}`, c: x.counts },
    ]);
    const endpoints = [...new Set(cols.flatMap((c) => Object.keys(c.c)))].sort();
    L.push(`| endpoint | ${cols.map((c) => c.title).join(' | ')} |`, `|---|${cols.map(() => '--:').join('|')}|`);
    for (const e of endpoints) L.push(`| ${e} | ${cols.map((c) => String(c.c[e] ?? 0)).join(' | ')} |`);
    L.push(`| **total** | ${cols.map((c) => `**${Object.values(c.c).reduce((x, y) => x + y, 0)}**`).join(' | ')} |`, '');
  }

  // ---- 3
  L.push('## 3. Extension', '');
  L.push(`- Bundles (production, \`npm run package\`): \`dist/extension.js\` **${kb(r.sizes.extension)}**, \`dist/cli.js\` **${kb(r.sizes.cli)}**, \`dist/vm-identity.vsix\` **${kb(r.sizes.vsix)}**.`);
  if (r.ui?.error) L.push(`- **The VS Code part failed**: ${r.ui.error}`);
  if (r.ui?.activations.length) {
    L.push(`- \`activate()\` wall time measured inside the extension host (the extension logs \`activated in X ms\` from \`performance.now()\` at entry and exit of \`activate()\`; read from \`<user-data>/logs/<date>/exthost*/vm-identity.vm-identity/VM Identity.log\`), ${r.ui.activations.length} activations (fresh code-server processes and window reloads): median **${ms(median(r.ui.activations))} ms** (${range(r.ui.activations)}). Module loading of the bundle happens before and is not included.`);
  }
  const uiSessions = r.ui?.sessions ?? [];
  if (uiSessions.length) {
    L.push(`- Requests to the emulator from window load, through opening the VM Identity view (signed out, \`signInAutomatically: false\`), to just before the first sign-in: **${uiSessions.map((s) => s.requestsBeforeSignIn).join(', ')}** (one per VS Code session): no network work before a command needs it.`);
  }
  L.push('');
  if (uiSessions.length) {
    L.push(`**Sign-in → tree populated** in real VS Code (code-server ${CODE_SERVER_VERSION} in headless Chromium, \`vmIdentity.signInAutomatically: false\`, the VM Identity view open, the .vsix installed as a user would). What is timed, inside the page: from the renderer's \`keydown\` of Enter on "VM Identity: Sign in with VM identity" in the command palette, to the first animation frame after the DOM shows both (a) the status bar item with the signed-in identity (its Graph display name) and (b) the "Role assignments" node with the expected count and its scope-group rows, whose counts add up to it. A MutationObserver checks on every DOM change, so there is no polling delay. The groups' children (one row per assignment) are built lazily on expand, timed in section 4; after the timed runs with ${SIZES.small} assignments every group is unfolded and every role row checked. IMDS answers at once, ARM and Graph after the latency shown; the extension talks plain http to the loopback emulator, as the e2e tests do. Each run starts signed out (tokens forgotten) and 300 ms after the sign-out has rendered (VS Code spaces a view's updates 200 ms apart; a user does not sign in again that fast); one warm-up sign-in, then the timed ones.`, '');
    L.push('Network limit = `IMDS + pages × ARM` = IMDS latency (0 ms) + pages of assignments × ARM latency: stage 1 is token ‖ instance metadata ‖ Graph token (all IMDS), stage 2 is the first page of assignments ‖ the role definitions ‖ the VM\'s identity block ‖ Graph (all at the ARM/Graph latency), then one stage per further page. The columns after "/ limit" split the time: when the status bar and the tree were complete; when the extension host logged "sign in requested" (renderer → extension host) and "signed in" (IdentityService.snapshot() done, its own duration in the column before); the rest is the extension host → renderer → DOM.', '');
    L.push('| assignments | ARM latency | pages | limit | sign-in → populated, median (range) ms | / limit | status bar ms | tree ms | Enter → command in ext. host ms | snapshot() ms | Enter → "signed in" logged ms |');
    L.push('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const s of uiSessions) {
      const col = (f: (x: SignInRun) => number | undefined) => ms(median(s.runs.map(f).filter((x): x is number => x !== undefined)));
      const total = median(s.runs.map((x) => x.total));
      L.push(`| ${s.assignments.toLocaleString('en-US')} | ${s.armLatency} ms | ${s.pages} | ${s.armLatency ? `0 + ${s.pages} × ${s.armLatency} = ${s.limitMs} ms` : '— (CPU only)'} | **${ms(total)}** (${range(s.runs.map((x) => x.total))}, ${s.runs.length} runs) | ${s.limitMs ? `**${ratio(total / s.limitMs)}**` : '—'} | ${col((x) => x.status)} | ${col((x) => x.tree)} | ${col((x) => x.dispatch)} | ${col((x) => x.snapshotMs)} | ${col((x) => x.toLogged)} |`);
    }
    L.push('');
    const verified = uiSessions.find((s) => s.verifiedRows !== undefined);
    if (verified) L.push(`Every role row checked after the timed runs (${verified.assignments} assignments): each group unfolded and each "<role> — <scope>" row found: **${verified.verifiedRows} of ${verified.assignments}**.`, '');
  }

  // ---- 4
  L.push('## 4. Scale', '');
  L.push(`${r.scale.assignments.toLocaleString('en-US')} assignments of the system identity, ${r.scale.pages} pages of ${PAGE_SIZE} (the emulator's default page size; ARM does not document the page size of this list, and with ${PAGE_SIZE} per page this is the request-heavy case), ARM latency 0 so the figures are our own cost: at ${UI_ARM_LATENCY} ms per ARM request the same job would add ${r.scale.pages} × ${UI_ARM_LATENCY} ms = ${((r.scale.pages * UI_ARM_LATENCY) / 1000).toFixed(0)} s of waiting for either tool. Peak RSS = \`process.resourceUsage().maxRSS\` at exit (\`node --require bench/maxrss.cjs\`).`, '');
  L.push('| tool | wall time median (range) ms | peak RSS median (max) MB | same ids as expected |');
  L.push('|:--|--:|--:|:--|');
  for (const t of ['cli', 'sdk'] as const) {
    const rss = r.scale.rssKb[t].map((x) => x / 1024);
    L.push(`| ${TOOLS[t].label} | ${ms(median(r.scale.times[t]))} (${range(r.scale.times[t])}) | ${median(rss).toFixed(0)} (${Math.max(...rss).toFixed(0)}) | ${r.scale.idsMatch ? 'yes' : '**no**'} |`);
  }
  L.push('');
  const big = uiSessions.find((s) => s.expandBiggest);
  if (big?.expandBiggest) {
    const e = big.expandBiggest;
    L.push(`Extension tree with ${big.assignments.toLocaleString('en-US')} assignments (same data, ARM latency 0), timed in the page:`, '');
    L.push(`| what | median (range) ms |`, `|:--|--:|`);
    L.push(`| sign-in → tree populated (status bar, "Role assignments" and its group rows; ${big.runs.length} runs) | ${ms(median(big.runs.map((x) => x.total)))} (${range(big.runs.map((x) => x.total))}) |`);
    L.push(`| first unfolding of the biggest group ("${e.label}", ${e.count.toLocaleString('en-US')} rows) after a sign-in: click on the twistie → its first row rendered; the rows are built only now (${e.cold.length} runs) | ${ms(median(e.cold))} (${range(e.cold)}) |`);
    L.push(`| unfolding it again (rows already loaded; ${e.warm.length} runs) | ${ms(median(e.warm))} (${range(e.warm)}) |`);
    L.push(`| F1 → command palette rendered, signed in, the ${e.count.toLocaleString('en-US')} rows loaded (${big.paletteOpenMs?.length ?? 0} runs) | ${ms(median(big.paletteOpenMs ?? []))} (${range(big.paletteOpenMs ?? [])}) |`, '');
  }

  // ---- 5
  L.push('## 5. Single flight', '');
  L.push('100 concurrent `getToken` calls for ARM in one fresh process (IMDS answering after 20 ms, so every ask overlaps the first request); IMDS requests counted in the emulator log. The emulator, like IMDS, allows 5 identity requests in flight and answers 429 beyond that.', '');
  L.push('| client | asks | IMDS token requests | fulfilled | distinct tokens | time ms |');
  L.push('|:--|--:|:--|--:|--:|--:|');
  for (const s of r.single) {
    L.push(`| ${s.mode === 'ours' ? '`ManagedIdentityClient` (src/identity)' : '@azure/identity `ManagedIdentityCredential`'} | ${s.asks} | ${Object.entries(s.imds).map(([k, v]) => `${k}: ${v}`).join(', ') || '0'} | ${s.fulfilled} | ${s.distinctTokens} | ${ms(s.ms)} |`);
  }
  L.push('');
  const sdkSingle = r.single.find((s) => s.mode === 'sdk');
  if (sdkSingle && sdkSingle.rejected > 0) {
    L.push(`For comparison only: the SDK credential does not share a request in flight, so the 100 asks became ${Object.values(sdkSingle.imds).reduce((a, b) => a + b, 0)} IMDS requests, and ${sdkSingle.rejected} of the asks failed${sdkSingle.error ? ` ("${sdkSingle.error.split(' - ')[0]}…")` : ''} instead of waiting for the token being fetched.`, '');
  }

  // ---- targets
  L.push('## Targets', '');
  const t12 = pair(smallN, 0);
  const t12l = pair(smallN, 50);
  const t2k = pair(mediumN, 0);
  const t2kl = pair(mediumN, 50);
  const tgt = (p: Pairing | undefined, goal: number) => {
    if (!p) return '—';
    const v = median(p.ratios);
    return `${ratio(v)} at ARM ${p.latency} ms: ${verdict(v <= goal)} (${v <= goal ? `${((1 - v / goal) * 100).toFixed(0)}% under` : `${((v / goal - 1) * 100).toFixed(0)}% over`})`;
  };
  /** Why a CLI/SDK ratio misses: what is left for our own work within the goal, against what it takes. */
  const whyCli = (p: Pairing | undefined, goal: number): string => {
    if (!p || median(p.ratios) <= goal) return '';
    const slow = r.pairs.find((x) => x.assignments === p.assignments && x.latency > 0);
    const stages = slow?.armStages.cli ?? 1;
    const network = stages * p.latency;
    const cli = median(p.times.cli);
    const need = goal * median(p.times.sdk);
    const sdkOwn = median((pair(p.assignments, 0) ?? p).times.sdk) - nodeMs;
    let detail: string;
    if (p.assignments <= PAGE_SIZE) {
      detail = 'loading the bundle and node:http/https/tls (~8 ms), the IMDS stage on loopback (~10 ms, the emulator\'s work included), two TLS handshakes (~7 ms), ICU\'s collator for sorting by scope and role name (~6 ms: the first Intl object of a process), parsing and printing (figures from profiling the CLI separately)';
    } else {
      const small = pair(smallN, p.latency);
      const extra = small ? cli - median(small.times.cli) : NaN;
      detail = `the same fixed cost as with ${smallN} assignments, plus ${ms(extra)} ms for ${stages - 1} more pages and ${(p.assignments - smallN).toLocaleString('en-US')} more assignments: the emulator's work per page (in this same process tree, on the same 2 cores), reading and parsing the JSON, sorting and printing`;
    }
    return `\n  Why: within ${goal}× the CLI must finish in ${ms(need)} ms. Node's own start (${ms(nodeMs)} ms) and ${stages} ARM stage${stages === 1 ? '' : 's'} × ${p.latency} ms leave ${ms(need - nodeMs - network)} ms for everything else, and the CLI spends ${ms(cli - nodeMs - network)} ms on it: ${detail}. The SDK's ratio is made of its ${slow?.armStages.sdk ?? '?'} ARM stages (role definitions only after the list) and ~${ms(sdkOwn)} ms of its own start-up and work.`;
  };
  L.push(`- CLI ≤ 0.25× the SDK at ${smallN} assignments: ${tgt(t12, 0.25)}; ${tgt(t12l, 0.25)}.${whyCli(t12, 0.25) || whyCli(t12l, 0.25)}`);
  L.push(`- CLI ≤ 0.35× the SDK at ${mediumN.toLocaleString('en-US')}: ${tgt(t2k, 0.35)}; ${tgt(t2kl, 0.35)}.${whyCli(t2k, 0.35)}`);
  if (t2kl && median(t2kl.ratios) > 0.35) {
    const floor = (nodeMs + t2kl.armStages.cli * t2kl.latency) / median(t2kl.times.sdk);
    L.push(`  Why at 50 ms: both tools must wait for ${t2kl.armStages.cli} ARM stages one after the other (each page's nextLink comes from the previous page), so even a CLI that cost nothing beyond Node's start and the network (${ms(nodeMs)} + ${t2kl.armStages.cli} × ${t2kl.latency} ms) would be ${ratio(floor)} the SDK here: 0.35× is out of physical reach at this latency. The CLI is ${ratio(median(t2kl.times.cli) / (nodeMs + t2kl.armStages.cli * t2kl.latency))} its own network limit.`);
  }
  for (const s of uiSessions.filter((x) => x.limitMs > 0)) {
    const total = median(s.runs.map((x) => x.total));
    const v = total / s.limitMs;
    const med = (f: (x: SignInRun) => number | undefined) => median(s.runs.map(f).filter((x): x is number => x !== undefined));
    let why = '';
    if (v > 1.15) {
      const dispatch = med((x) => x.dispatch);
      const snap = med((x) => x.snapshotMs);
      const render = total - med((x) => x.toLogged);
      why = `\n  Why: 1.15× leaves ${ms(0.15 * s.limitMs)} ms for everything that is not network. Palette → command in the extension host takes ${ms(dispatch)} ms; snapshot() takes ${ms(snap)} ms, ${ms(snap - s.limitMs)} ms over the limit (the IMDS stage on loopback, three requests, and parsing); extension host → status bar and tree in the DOM takes ${ms(render)} ms (VS Code's RPC, the tree asking for the children of each expanded section, layout). Those ~${ms(dispatch + (snap - s.limitMs) + render)} ms are a fixed cost: with more pages (next row) the same cost is well within 1.15×.`;
    }
    L.push(`- Sign-in → tree populated ≤ 1.15× the network limit (${s.assignments.toLocaleString('en-US')} assignments, ${s.pages} page${s.pages === 1 ? '' : 's'} × ${s.armLatency} ms = ${s.limitMs} ms): ${ms(total)} ms = ${ratio(v)}: ${verdict(v <= 1.15)}${v <= 1.15 ? '' : ` (${((v / 1.15 - 1) * 100).toFixed(0)}% over)`}.${why}`);
  }
  if (r.ui?.activations.length) {
    const a = median(r.ui.activations);
    L.push(`- \`activate()\` ≤ 15 ms: ${ms(a)} ms: ${verdict(a <= 15)}. No network work before a command needs it: ${uiSessions[0] ? `${uiSessions[0].requestsBeforeSignIn} requests` : '—'}: ${verdict(uiSessions[0]?.requestsBeforeSignIn === 0)}.`);
  }
  L.push(`- Extension bundle ≤ 150 KB: ${kb(r.sizes.extension)}: ${verdict(r.sizes.extension <= 150 * 1024)}.`);
  if (ours) L.push(`- 100 concurrent asks → 1 IMDS request: ${ours.imds['imds-token'] ?? 0}: ${verdict((ours.imds['imds-token'] ?? 0) === 1 && Object.keys(ours.imds).length === 1)}.`);
  const peak = Math.max(...r.scale.rssKb.cli) / 1024;
  L.push(`- ${r.scale.assignments.toLocaleString('en-US')} assignments under 150 MB peak RSS in the CLI: ${peak.toFixed(0)} MB (max of ${r.scale.rssKb.cli.length} runs): ${verdict(peak < 150)}.`);
  L.push('');
  return L.join('\n');
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  assertNetworkIsolated();
  for (const f of [CLI, path.join(DIST, 'extension.js'), VSIX]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run package\` first`);
  const sizes = { extension: fs.statSync(path.join(DIST, 'extension.js')).size, cli: fs.statSync(CLI).size, vsix: fs.statSync(VSIX).size };

  progress('Node start (node -e 0)');
  const node = await nodeStartup();

  progress('emulators: 12, 2,000 and 20,000 assignments');
  const small = await emulatorFor(SIZES.small);
  const medium = await emulatorFor(SIZES.medium);
  const large = await emulatorFor(SIZES.large);
  try {
    progress(`1. CLI vs SDK (${RUNS} runs each, interleaved)`);
    const pairs: Pairing[] = [];
    for (const emu of [small, medium]) for (const latency of CLI_LATENCIES) pairs.push(await compareCliAndSdk(emu, latency));

    progress('4. scale: CLI and SDK on 20,000 assignments');
    const scale = await scaleCli(large);

    progress('5. single flight: 100 concurrent token asks');
    const single = await singleFlight(small);

    let ui: { sessions: UiSession[]; activations: number[]; error?: string } | undefined;
    if (!SKIP_UI) {
      ui = { sessions: [], activations: [] };
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-bench-'));
      let browser: Browser | undefined;
      try {
        progress('3. real VS Code: installing the .vsix, starting Chromium');
        const extensionsDir = path.join(work, 'extensions');
        await installVsix(VSIX, extensionsDir);
        browser = await launchBrowser({ viewport: { width: 1400, height: 1400 } });
        progress(`3. sign-in in VS Code, ${SIZES.small} assignments, ARM ${UI_ARM_LATENCY} ms`);
        ui.sessions.push(await uiSession(browser, extensionsDir, work, small, { armLatency: UI_ARM_LATENCY, runs: UI_RUNS, verifyEveryRow: true, reloads: 2 }, ui.activations));
        progress(`3. sign-in in VS Code, ${SIZES.medium} assignments, ARM ${UI_ARM_LATENCY} ms`);
        ui.sessions.push(await uiSession(browser, extensionsDir, work, medium, { armLatency: UI_ARM_LATENCY, runs: Math.max(3, Math.ceil(UI_RUNS / 2)) }, ui.activations));
        progress(`4. VS Code tree with ${SIZES.large} assignments, ARM 0 ms`);
        ui.sessions.push(await uiSession(browser, extensionsDir, work, large, { armLatency: 0, runs: 3, responsiveness: true }, ui.activations));
      } catch (e) {
        ui.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
        progress(`VS Code part failed: ${e instanceof Error ? e.stack : String(e)}`);
      } finally {
        await browser?.close();
        fs.rmSync(work, { recursive: true, force: true });
      }
    }

    const now = Date.now();
    const report = renderReport({ node, pairs, scale, single, sizes, ui, totalMs: now - startedAt, measureMs: now - measureStartedAt });
    fs.writeFileSync(OUT_FILE, `${report}\n`);
    process.stdout.write(`${report}\n`);
    progress(`wrote ${path.relative(ROOT, OUT_FILE)}`);
    if (ui?.error) process.exitCode = 1;
  } finally {
    await Promise.all([small.close(), medium.close(), large.close()]);
  }
}

export { emulatorFor, uiSession };

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
