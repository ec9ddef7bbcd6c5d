/**
 * 6. The realistic tenant (issue 9 Build 7): the default dataset (two subscriptions the identity holds roles
 * in, ~550 built-in roles), ARM and Graph at 40 ms per request plus the emulator's size-proportional time.
 * The CLI (`roles --json`, every subscription) cold (a fresh, empty XDG_CACHE_HOME per run) and warm (one
 * untimed priming run, then every timed run reuses its directory), against bench/sdk-peer-tenant.mjs, which
 * lists each subscription's role-definition catalog for names as `az role assignment list` does.
 */
import { type Emulator, expectedView } from '../test/emulator';
import { median, ms, progress, ratio, RUNS, SDK_TENANT_PEER, TENANT_ARM_LATENCY, CLI, kb } from './config';
import {
  bodyBytes,
  childEnv,
  expectedIds,
  freshCacheDir,
  networkStages,
  requestCounts,
  roleNamesOf,
  sameIds,
  timedRun,
} from './processes';

export const TENANT_TOOLS = ['cold', 'warm', 'sdk'] as const;
export type TenantTool = (typeof TENANT_TOOLS)[number];

/** What one job of a tool asked and downloaded (identical in every run; the last run's figures are kept). */
export interface TenantJob {
  bytes: number;
  bytesByService: Record<string, number>;
  /** Body bytes of the largest single response and its endpoint. */
  largest: { endpoint: string; bytes: number };
  counts: Record<string, number>;
  stages: number;
  armStages: number;
}

export interface Tenant {
  latency: number;
  armMsPerKb: number;
  subscriptions: number;
  builtInRoles: number;
  expectedCount: number;
  times: Record<TenantTool, number[]>;
  ratios: { cold: number[]; warm: number[] };
  jobs: Record<TenantTool, TenantJob>;
  idsCount: Record<TenantTool, number>;
  idsMatch: boolean;
  /** Every assignment has the same role name from the CLI as from the SDK's catalog. */
  namesMatch: boolean;
}

const emptyJob = (): TenantJob => ({
  bytes: 0,
  bytesByService: {},
  largest: { endpoint: '', bytes: 0 },
  counts: {},
  stages: 0,
  armStages: 0,
});

export async function realisticTenant(emu: Emulator): Promise<Tenant> {
  emu.configure({ latencyMs: { arm: TENANT_ARM_LATENCY, graph: TENANT_ARM_LATENCY, imds: 0 } });
  const base = childEnv(emu);
  const expected = expectedIds(emu, 'every');
  const warmDir = freshCacheDir();
  const t: Tenant = {
    latency: TENANT_ARM_LATENCY,
    armMsPerKb: emu.config.armMsPerKb,
    subscriptions: expectedView(emu.dataset, emu.dataset.systemIdentity.principalId).subscriptions.length,
    builtInRoles: emu.dataset.roleDefinitions.filter((r) => r.properties.type === 'BuiltInRole').length,
    expectedCount: expected.size,
    times: { cold: [], warm: [], sdk: [] },
    ratios: { cold: [], warm: [] },
    jobs: { cold: emptyJob(), warm: emptyJob(), sdk: emptyJob() },
    idsCount: { cold: 0, warm: 0, sdk: 0 },
    idsMatch: true,
    namesMatch: true,
  };
  const names: Partial<Record<TenantTool, Map<string, string | undefined>>> = {};
  const argvOf = (tool: TenantTool) => (tool === 'sdk' ? [SDK_TENANT_PEER] : [CLI, 'roles', '--json']);
  const envOf = (tool: TenantTool) => ({ ...base, XDG_CACHE_HOME: tool === 'warm' ? warmDir : freshCacheDir() });
  const once = async (tool: TenantTool, record: boolean): Promise<number> => {
    emu.resetLog();
    const r = await timedRun(argvOf(tool), envOf(tool));
    if (r.code !== 0) throw new Error(`realistic tenant: ${tool} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
    names[tool] = roleNamesOf(r.stdout);
    const ids = new Set(names[tool].keys());
    t.idsCount[tool] = ids.size;
    if (!sameIds(ids, expected)) t.idsMatch = false;
    const requests = emu.requests.filter((q) => q.service !== 'control');
    const bytes = bodyBytes(requests);
    const largest = requests.reduce((a, q) => (q.bytes > a.bytes ? { endpoint: q.endpoint, bytes: q.bytes } : a), {
      endpoint: '',
      bytes: 0,
    });
    t.jobs[tool] = {
      bytes: bytes.total,
      bytesByService: bytes.byService,
      largest,
      counts: requestCounts(requests),
      stages: networkStages(requests),
      armStages: networkStages(requests, 'arm'),
    };
    if (record) t.times[tool].push(r.ms);
    return r.ms;
  };
  // Untimed: the warm directory's priming run, then one warm-up of each (disk caches, the emulator's JIT).
  await once('warm', false);
  for (const tool of TENANT_TOOLS) await once(tool, false);
  for (let i = 0; i < RUNS; i++) {
    // Rotate the order so drift on a noisy machine hits all three alike.
    const order = TENANT_TOOLS.map((_, k) => TENANT_TOOLS[(i + k) % TENANT_TOOLS.length]);
    const got: Partial<Record<TenantTool, number>> = {};
    for (const tool of order) got[tool] = await once(tool, true);
    t.ratios.cold.push(got.cold! / got.sdk!);
    t.ratios.warm.push(got.warm! / got.sdk!);
  }
  for (const tool of ['cold', 'warm'] as const) {
    for (const [id, name] of names[tool] ?? []) if (names.sdk?.get(id) !== name) t.namesMatch = false;
  }
  emu.configure({ latencyMs: { arm: 0, graph: 0, imds: 0 } });
  const m = (tool: TenantTool) => ms(median(t.times[tool]));
  progress(
    `  CLI cold ${m('cold')} ms (${kb(t.jobs.cold.bytes)}), warm ${m('warm')} ms (${kb(t.jobs.warm.bytes)}), SDK ${m('sdk')} ms (${kb(t.jobs.sdk.bytes)}); cold/SDK ${ratio(median(t.ratios.cold))}, warm/SDK ${ratio(median(t.ratios.warm))}`,
  );
  return t;
}
