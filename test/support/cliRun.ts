/** The spawned CLI as the tests run it: a clean environment and a temp role-name cache (never the real home). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DatasetOptions, type Emulator, expectedView, startEmulator } from '../emulator';
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

/** An emulator with a plain listener (IMDS) and a TLS one (ARM, Graph), as the spawned CLI meets Azure. */
export function startCliEmulator(dataset?: DatasetOptions): Promise<Emulator> {
  return startEmulator({
    ...(dataset ? { dataset } : {}),
    listen: [
      { host: '127.0.0.1', port: 0 },
      { host: '127.0.0.1', port: 0, tls: true },
    ],
  });
}

/** The CLI's endpoints pointed at that emulator, its test CA trusted through NODE_EXTRA_CA_CERTS. */
export function cliEnvFor(emu: Emulator): NodeJS.ProcessEnv {
  return {
    AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
    VM_IDENTITY_ARM_ENDPOINT: emu.httpsUrl,
    VM_IDENTITY_GRAPH_ENDPOINT: emu.httpsUrl,
    NODE_EXTRA_CA_CERTS: emu.caCertPath,
  };
}
