/** The spawned CLI as the tests run it: a clean environment and a temp role-name cache (never the real home). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Emulator, expectedView } from '../emulator';
import { type CliRun, spawnCli } from './spawnCli';

/** Where the spawned CLIs keep role names: a temp dir, never the real home (env may name another). */
const CACHE_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-cli-cache-'));
after(() => fs.rmSync(CACHE_HOME, { recursive: true, force: true }));

/** The CLI with this process's environment minus anything that names an endpoint or a proxy, plus `env`. */
export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(https?_proxy|no_proxy|AZURE_|IDENTITY_|MSI_|IMDS_|VM_IDENTITY_|XDG_)/i.test(k),
    ),
  );
  return spawnCli(args, { ...clean, XDG_CACHE_HOME: CACHE_HOME, ...env });
}

/** What `roles` must list for a principal: every subscription's view, each assignment once. */
export function expectedAssignments(emu: Emulator, principalId: string) {
  const all = expectedView(emu.dataset, principalId).subscriptions.flatMap((s) => s.assignments);
  return all.filter((a, i) => all.findIndex((b) => b.id === a.id) === i);
}
