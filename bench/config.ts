/**
 * What a bench run measures and how figures are written: paths, command-line options, sizes and
 * latencies, progress output, and the statistics and number formats the report uses.
 */
import * as path from 'node:path';

// ------------------------------------------------------------------ settings

export const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist');
export const CLI = path.join(DIST, 'cli.js');
export const VSIX = path.join(DIST, 'vm-identity.vsix');
export const SDK_PEER = path.join(ROOT, 'bench', 'sdk-peer.mjs');
export const SDK_TENANT_PEER = path.join(ROOT, 'bench', 'sdk-peer-tenant.mjs');
export const MAXRSS = path.join(ROOT, 'bench', 'maxrss.cjs');
export const SINGLE_FLIGHT = path.join(ROOT, 'bench', 'single-flight.ts');
export const OUT_FILE = path.join(ROOT, 'BENCHMARKS.md');

export const args = process.argv.slice(2);
export const flag = (name: string) => args.includes(`--${name}`);
export const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
/** Timed runs per tool and configuration (after one warm-up each). */
export const RUNS = option('runs', 9);
export const UI_RUNS = option('ui-runs', 7);
export const SKIP_UI = flag('skip-ui');
export const COMMAND = process.env.BENCH_COMMAND ?? `node --require tsx/cjs bench/measure.ts ${args.join(' ')}`.trim();

export const PAGE_SIZE = 100; // the emulator's default; ARM does not document its page size for this list
export const SIZES = { small: 12, medium: 2000, large: 20_000 } as const;
export const CLI_LATENCIES = [0, 50];
export const UI_ARM_LATENCY = 100;
/** The realistic tenant (issue 9 Build 7): ARM (and Graph) latency per request, and the targets. */
export const TENANT_ARM_LATENCY = 40;
export const TENANT_TARGETS = { cold: 0.25, warm: 0.2, coldBytes: 100 * 1024 } as const;
export const STATUS_ID = 'vm-identity.vm-identity.vmIdentity.status';
export const SIDEBAR = '.part.sidebar';
export const GROUP_LABELS: Record<string, string> = {
  root: 'Root (/)',
  managementGroup: 'Management groups',
  subscription: 'Subscription',
  resourceGroup: 'Resource groups',
  resource: 'Resources',
};

export const startedAt = Number(process.env.BENCH_STARTED_MS) || Date.now();
export const measureStartedAt = Date.now();
export const progress = (m: string) =>
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${m}\n`);

// ------------------------------------------------------------------ statistics

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '—');
export const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const range = (xs: number[]) => (xs.length ? `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}` : '—');
export const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
