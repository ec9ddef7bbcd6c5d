/** Scale (the CLI and the SDK on 20,000 assignments) and single flight (100 concurrent token asks). */
import { type Emulator } from '../test/emulator';
import { median, ms, progress, RUNS, SINGLE_FLIGHT } from './config';
import {
  childEnv,
  expectedIds,
  freshCacheDir,
  idsOf,
  requestCounts,
  sameIds,
  timedRun,
  toolArgv,
  ToolName,
} from './processes';

// ------------------------------------------------------------------ 4: scale (CLI)

export interface ScaleCli {
  assignments: number;
  pages: number;
  times: Record<ToolName, number[]>;
  rssKb: Record<ToolName, number[]>;
  idsMatch: boolean;
}

export async function scaleCli(emu: Emulator): Promise<ScaleCli> {
  emu.configure({ latencyMs: { arm: 0, imds: 0, graph: 0 } });
  const env = childEnv(emu);
  const expected = expectedIds(emu);
  const s: ScaleCli = {
    assignments: expected.size,
    pages: 0,
    times: { cli: [], sdk: [] },
    rssKb: { cli: [], sdk: [] },
    idsMatch: true,
  };
  const runs = Math.max(3, Math.ceil(RUNS / 2));
  for (let i = 0; i <= runs; i++) {
    const order: ToolName[] = i % 2 === 0 ? ['cli', 'sdk'] : ['sdk', 'cli'];
    for (const tool of order) {
      emu.resetLog();
      const r = await timedRun(toolArgv(tool, emu), { ...env, XDG_CACHE_HOME: freshCacheDir() }, { maxRss: true });
      if (r.code !== 0) throw new Error(`${tool} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
      if (!sameIds(idsOf(r.stdout), expected)) s.idsMatch = false;
      if (tool === 'cli') s.pages = emu.requests.filter((q) => q.endpoint === 'arm-role-assignments').length;
      if (i === 0) continue; // warm-up
      s.times[tool].push(r.ms);
      if (r.maxRssKb) s.rssKb[tool].push(r.maxRssKb);
    }
  }
  progress(
    `  ${expected.size} assignments: CLI ${ms(median(s.times.cli))} ms, peak RSS ${(Math.max(...s.rssKb.cli) / 1024).toFixed(0)} MB`,
  );
  return s;
}

// ------------------------------------------------------------------ 5: single flight

export interface SingleFlight {
  mode: 'ours' | 'sdk';
  asks: number;
  fulfilled: number;
  rejected: number;
  distinctTokens: number;
  ms: number;
  imds: Record<string, number>;
  error?: string;
}

export async function singleFlight(emu: Emulator): Promise<SingleFlight[]> {
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
