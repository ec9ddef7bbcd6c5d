/**
 * Runs the Diagnose checks (src/diagnose) on this machine for the tools: environment, home directory and the
 * tools' state files are read here; the network facts come from a {@link DiagnoseProbe} the caller passes. Until
 * the core's probe is wired in (issue 11), a caller passes the probe it has, and every fact it cannot give
 * becomes a SKIP check saying so, never a guess.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { type DiagnoseProbe, type Report, type VsCodeHttpSettings, runDiagnosis } from '../diagnose';

export interface DiagnoseHere {
  env: NodeJS.ProcessEnv;
  probe: DiagnoseProbe;
  vscode?: VsCodeHttpSettings;
}

export function diagnoseHere(here: DiagnoseHere): Promise<Report> {
  return runDiagnosis({
    env: here.env,
    home: os.homedir(),
    clock: { now: () => Date.now() },
    files: { readText: (file) => fs.promises.readFile(file, 'utf8').catch(() => undefined) },
    probe: here.probe,
    vscode: here.vscode,
  });
}
