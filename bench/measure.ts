/**
 * The measurements behind `npm run bench` (bench/run.js builds, installs VS Code, then runs this inside
 * scripts/netns-run.sh: a network namespace with only `lo`, so nothing here can reach IMDS or Azure).
 * Every figure comes from this one run, against emulators on 127.0.0.1 started here, one per data set.
 * Progress goes to stderr; the report goes to stdout and to BENCHMARKS.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, launchBrowser } from '../test/e2e/support/browser';
import { installVsix } from '../test/e2e/support/codeServer';
import { assertNetworkIsolated } from '../test/e2e/support/common';
import {
  CLI,
  CLI_LATENCIES,
  DIST,
  measureStartedAt,
  OUT_FILE,
  progress,
  ROOT,
  RUNS,
  SIZES,
  SKIP_UI,
  startedAt,
  UI_ARM_LATENCY,
  UI_RUNS,
  VSIX,
} from './config';
import { scaleCli, singleFlight } from './measureCli';
import { realisticTenant } from './measureTenant';
import { uiSession } from './measureUi';
import { type Pairing, compareCliAndSdk, nodeStartup } from './peers';
import { emulatorFor } from './processes';
import { renderReport } from './report';
import type { UiSession } from './uiActions';

async function main(): Promise<void> {
  assertNetworkIsolated();
  for (const f of [CLI, path.join(DIST, 'extension.js'), VSIX])
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run package\` first`);
  const sizes = {
    extension: fs.statSync(path.join(DIST, 'extension.js')).size,
    cli: fs.statSync(CLI).size,
    vsix: fs.statSync(VSIX).size,
  };

  progress('Node start (node -e 0)');
  const node = await nodeStartup();

  progress('emulators: 12, 2,000 and 20,000 assignments');
  const small = await emulatorFor(SIZES.small);
  const medium = await emulatorFor(SIZES.medium);
  const large = await emulatorFor(SIZES.large);
  try {
    progress(`1. CLI vs SDK (${RUNS} runs each, interleaved)`);
    const pairs: Pairing[] = [];
    for (const emu of [small, medium])
      for (const latency of CLI_LATENCIES) pairs.push(await compareCliAndSdk(emu, latency));

    progress('4. scale: CLI and SDK on 20,000 assignments');
    const scale = await scaleCli(large);

    progress('5. single flight: 100 concurrent token asks');
    const single = await singleFlight(small);

    progress(
      `6. realistic tenant: CLI cold and warm vs the SDK on every subscription (${RUNS} runs each, interleaved)`,
    );
    const tenant = await realisticTenant(small);

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
        ui.sessions.push(
          await uiSession(
            browser,
            extensionsDir,
            work,
            small,
            { armLatency: UI_ARM_LATENCY, runs: UI_RUNS, verifyEveryRow: true, reloads: 2 },
            ui.activations,
          ),
        );
        progress(`3. sign-in in VS Code, ${SIZES.medium} assignments, ARM ${UI_ARM_LATENCY} ms`);
        ui.sessions.push(
          await uiSession(
            browser,
            extensionsDir,
            work,
            medium,
            { armLatency: UI_ARM_LATENCY, runs: Math.max(3, Math.ceil(UI_RUNS / 2)) },
            ui.activations,
          ),
        );
        progress(`4. VS Code tree with ${SIZES.large} assignments, ARM 0 ms`);
        ui.sessions.push(
          await uiSession(
            browser,
            extensionsDir,
            work,
            large,
            { armLatency: 0, runs: 3, responsiveness: true },
            ui.activations,
          ),
        );
      } catch (e) {
        ui.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
        progress(`VS Code part failed: ${e instanceof Error ? e.stack : String(e)}`);
      } finally {
        await browser?.close();
        fs.rmSync(work, { recursive: true, force: true });
      }
    }

    const now = Date.now();
    const report = renderReport({
      node,
      pairs,
      scale,
      single,
      tenant,
      sizes,
      ui,
      totalMs: now - startedAt,
      measureMs: now - measureStartedAt,
    });
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
