/**
 * Timed child processes (the CLI and its peers, with max RSS) and the emulators the measurements run against.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ChildProcess, spawn } from 'node:child_process';
import { type Emulator, expectedView, type LoggedRequest, startEmulator } from '../test/emulator';
import { CLI, MAXRSS, PAGE_SIZE, ROOT, SDK_PEER } from './config';

// ------------------------------------------------------------------ processes

export interface ProcResult {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  maxRssKb?: number;
}

// ------------------------------------------------------------------ cache directories

/** Every XDG_CACHE_HOME a child gets lives under here, removed when the bench exits. */
const CACHE_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-bench-cache-'));
process.on('exit', () => fs.rmSync(CACHE_ROOT, { recursive: true, force: true }));

/** A new, empty XDG_CACHE_HOME: the CLI then starts with no role names remembered (a cold run). */
export function freshCacheDir(): string {
  return fs.mkdtempSync(path.join(CACHE_ROOT, 'xdg-'));
}

/**
 * The environment every measured child gets: only what points it at the emulator (no proxies, no NODE_OPTIONS),
 * and always an XDG_CACHE_HOME of our own so the CLI's role-name cache never touches the real home.
 */
export function childEnv(emu: Emulator, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XDG_CACHE_HOME: freshCacheDir(),
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
export function timedRun(argv: string[], env: NodeJS.ProcessEnv, opts: { maxRss?: boolean } = {}): Promise<ProcResult> {
  const rssFile = opts.maxRss
    ? path.join(os.tmpdir(), `bench-maxrss-${process.pid}-${Math.random().toString(36).slice(2)}`)
    : undefined;
  const nodeArgs = rssFile ? ['--require', MAXRSS, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let exitedAt = 0;
    let code: number | null = null;
    const t0 = performance.now();
    const child: ChildProcess = spawn(process.execPath, nodeArgs, {
      env: rssFile ? { ...env, BENCH_MAXRSS_FILE: rssFile } : env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      resolve({
        ms: exitedAt - t0,
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        maxRssKb,
      });
    });
  });
}

export const TOOLS = {
  cli: { label: "`vm-identity roles --json --subscription {VM's}`", argv: [CLI, 'roles', '--json'] },
  sdk: { label: 'SDK peer (`bench/sdk-peer.mjs`)', argv: [SDK_PEER] },
} as const;
export type ToolName = keyof typeof TOOLS;

/**
 * Sections 1, 2 and 4 compare one subscription's job (the VM's, as bench/sdk-peer.mjs does it); the CLI lists
 * every subscription unless told one. The realistic tenant (bench/measureTenant.ts) compares every subscription.
 */
export function toolArgv(tool: ToolName, emu: Emulator): string[] {
  return tool === 'cli' ? [...TOOLS.cli.argv, '--subscription', emu.dataset.subscriptionId] : [...TOOLS[tool].argv];
}

// ------------------------------------------------------------------ emulator helpers

export async function emulatorFor(assignments: number): Promise<Emulator> {
  return startEmulator({
    dataset: { assignments },
    listen: [
      { host: '127.0.0.1', port: 0 },
      { host: '127.0.0.1', port: 0, tls: true },
    ],
    pageSize: PAGE_SIZE,
  });
}

/** The assignment ids the emulator's expected view holds for the system identity: the VM's subscription, or every one. */
export function expectedIds(emu: Emulator, which: 'vmSubscription' | 'every' = 'vmSubscription'): Set<string> {
  const d = emu.dataset;
  const view = expectedView(d, d.systemIdentity.principalId);
  const ids =
    which === 'every'
      ? view.assignmentIds
      : (view.subscriptions.find((s) => s.isVmSubscription)?.assignments.map((a) => a.id) ?? []);
  return new Set(ids.map((id) => id.toLowerCase()));
}

/** Response body bytes the tool downloaded in one job: ARM, Graph and IMDS (the control API is ours). */
export function bodyBytes(requests: LoggedRequest[]): { total: number; byService: Record<string, number> } {
  const byService: Record<string, number> = {};
  for (const r of requests)
    if (r.service === 'arm' || r.service === 'graph' || r.service === 'imds')
      byService[r.service] = (byService[r.service] ?? 0) + r.bytes;
  return { total: Object.values(byService).reduce((a, b) => a + b, 0), byService };
}

/** Requests by endpoint (and non-200 statuses), in a stable order. */
export function requestCounts(requests: LoggedRequest[]): Record<string, number> {
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
export function networkStages(requests: LoggedRequest[], service?: string): number {
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

export function sameIds(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Role assignment ids of a `roles --json` array (the CLI's deny items, marked `deny`, are not role assignments). */
export function idsOf(stdout: string): Set<string> {
  return new Set([...roleNamesOf(stdout).keys()]);
}

/** Role assignment id (lower case) → role name, from a `roles --json` array. */
export function roleNamesOf(stdout: string): Map<string, string | undefined> {
  const items = JSON.parse(stdout) as Array<{ id: string; roleName?: string; deny?: boolean }>;
  return new Map(items.filter((i) => i.deny !== true).map((i) => [i.id.toLowerCase(), i.roleName]));
}
