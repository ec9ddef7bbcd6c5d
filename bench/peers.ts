/**
 * The CLI against its peers: the Azure SDK (@azure/identity + @azure/arm-authorization, bench/sdk-peer.mjs)
 * run interleaved on the same emulator, and bare Node start-up.
 */
import { type Emulator } from '../test/emulator';
import { median, ms, progress, ratio, RUNS } from './config';
import {
  childEnv,
  expectedIds,
  freshCacheDir,
  idsOf,
  networkStages,
  requestCounts,
  sameIds,
  timedRun,
  toolArgv,
  ToolName,
} from './processes';

// ------------------------------------------------------------------ 1 + 2: CLI vs SDK

export interface Pairing {
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

export async function compareCliAndSdk(emu: Emulator, latency: number): Promise<Pairing> {
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
    // A fresh XDG_CACHE_HOME per run: the CLI starts with no role names remembered, like the SDK peer.
    const r = await timedRun(toolArgv(tool, emu), { ...env, XDG_CACHE_HOME: freshCacheDir() });
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
  progress(
    `  ${expected.size} assignments, ARM ${latency} ms: CLI ${ms(median(p.times.cli))} ms, SDK ${ms(median(p.times.sdk))} ms, ratio ${ratio(median(p.ratios))}`,
  );
  return p;
}

export async function nodeStartup(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const r = await timedRun(['-e', '0'], { PATH: process.env.PATH });
    if (i > 0) times.push(r.ms);
  }
  return times;
}
