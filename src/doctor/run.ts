/**
 * Runs Diagnose against this machine: the live probe, the tools' state files (read through a reader that only
 * returns text, never throws) and the clock. Shared by `vm-identity doctor` and the extension's Diagnose command.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { type Report, type VsCodeHttpSettings, runDiagnosis } from '../diagnose';
import { type LiveProbeOptions, createLiveProbe } from './liveProbe';

export interface DoctorOptions extends LiveProbeOptions {
  /** VS Code's http settings, when running in the extension host. */
  vscode?: VsCodeHttpSettings;
  home?: string;
}

const MAX_STATE_FILE_BYTES = 4 * 1024 * 1024;

async function readText(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile() || stat.size > MAX_STATE_FILE_BYTES) return undefined;
    return await fs.promises.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function runDoctor(options: DoctorOptions): Promise<Report> {
  return runDiagnosis({
    env: options.env,
    files: { readText },
    clock: { now: () => Date.now() },
    home: options.home ?? os.homedir(),
    probe: createLiveProbe(options),
    vscode: options.vscode,
  });
}
