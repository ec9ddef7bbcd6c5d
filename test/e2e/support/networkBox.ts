/**
 * A realistic network in a box, for tests that run the product with its shipped defaults (no endpoint
 * overrides): inside the private network + mount namespace of scripts/netns-run.sh,
 *   - 169.254.169.254/32 and 192.0.2.10/32 (TEST-NET-1) are put on `lo`;
 *   - the emulator serves IMDS on http://169.254.169.254:80 and ARM + Graph on https://192.0.2.10:443
 *     (TLS with its generated test CA; trust it with NODE_EXTRA_CA_CERTS = box.caCertPath);
 *   - a copy of /etc/hosts naming management.azure.com, graph.microsoft.com, management.usgovcloudapi.net
 *     and graph.microsoft.us as 192.0.2.10 is bind-mounted over /etc/hosts — in this mount namespace only;
 *   - a third listener on 127.0.0.1 serves the same emulator for "with overrides" comparisons.
 *
 * Refuses to do anything unless the process is in a network namespace with nothing but `lo` AND in a
 * private mount namespace other than the one netns-run.sh was started from (VMID_HOST_MNTNS), with `/`
 * not propagating mounts. So the real 169.254.169.254 / Azure hosts can never be reached from here, and
 * the host's /etc/hosts is never touched. Everything added is removed again by close().
 */
import { execFileSync } from 'node:child_process';
import * as dns from 'node:dns/promises';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DatasetOptions, type Emulator, startEmulator } from '../../emulator';
import { assertNetworkIsolated } from './common';

export const IMDS_ADDRESS = '169.254.169.254';
export const AZURE_ADDRESS = '192.0.2.10';
/** Host names the box resolves to AZURE_ADDRESS (the public and US Government ARM and Graph hosts). */
const AZURE_HOST_NAMES = [
  'management.azure.com',
  'graph.microsoft.com',
  'management.usgovcloudapi.net',
  'graph.microsoft.us',
] as const;
/** Variables that would override a shipped default; the box's product runs have none of them. */
export const OVERRIDE_ENV =
  /^(AZURE_POD_IDENTITY_AUTHORITY_HOST|VM_IDENTITY_.*|IDENTITY_ENDPOINT|IDENTITY_HEADER|IDENTITY_SERVER_THUMBPRINT|IMDS_ENDPOINT|MSI_ENDPOINT|MSI_SECRET|https?_proxy|all_proxy|no_proxy)$/i;

export interface NetworkBox {
  emu: Emulator;
  /** PEM of the emulator's test CA (NODE_EXTRA_CA_CERTS). */
  caCertPath: string;
  /** http://127.0.0.1:<port>: the same emulator, for runs with overrides and for control. */
  loopbackUrl: string;
  /** Adds the test CA to (or removes it from) the OS trust bundle, by a bind mount in this namespace only. */
  trustCaInSystemStore(on: boolean): void;
  /** Takes 169.254.169.254 off `lo` (false: connects fail with ENETUNREACH, as off Azure) or puts it back. */
  setImdsReachable(reachable: boolean): void;
  /** Environment for a product process: the caller's minus every override and proxy variable, plus `extra`. */
  productEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function hasAddress(address: string): boolean {
  return ip('-o', 'addr', 'show', 'dev', 'lo')
    .split('\n')
    .some((l) => l.includes(` ${address}/`));
}

function mountNamespaceOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws unless this process is in a private mount namespace of its own — one that an ancestor process
 * (the shell that ran scripts/netns-run.sh) is not in — whose `/` does not propagate mounts. Evidence comes
 * from /proc, not from the environment: a namespace made with `unshare --net` alone (the host's mount
 * namespace) is refused even if VMID_HOST_MNTNS is set to something else.
 */
export function assertPrivateMountNamespace(): void {
  const own = mountNamespaceOf(process.pid);
  if (!own) throw new Error("refusing to mount: cannot read this process's mount namespace");
  let ancestorNs: string | undefined;
  const seen = new Set<number>();
  for (let pid = parentOf(process.pid); pid !== undefined && pid > 1 && !seen.has(pid); pid = parentOf(pid)) {
    seen.add(pid);
    const ns = mountNamespaceOf(pid);
    if (ns && ns !== own) {
      ancestorNs = ns;
      break;
    }
  }
  if (!ancestorNs)
    throw new Error(
      `refusing to mount: every readable ancestor shares this mount namespace (${own}); run under scripts/netns-run.sh`,
    );
  const hostNs = process.env.VMID_HOST_MNTNS;
  if (hostNs && hostNs === own)
    throw new Error(`refusing to mount: still in the mount namespace netns-run.sh started from (${own})`);
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (
      (mountPoint === '/' || mountPoint === '/etc' || mountPoint === '/etc/hosts' || mountPoint === SYSTEM_CA_BUNDLE) &&
      / shared:\d+/.test(line)
    ) {
      throw new Error(`refusing to mount: ${mountPoint} propagates mounts to other namespaces (${line})`);
    }
  }
}

async function resolvesToBox(name: string): Promise<boolean> {
  try {
    const all = await dns.lookup(name, { all: true });
    return all.length > 0 && all.every((a) => a.address === AZURE_ADDRESS);
  } catch {
    return false;
  }
}

export interface NetworkBoxOptions {
  dataset?: DatasetOptions;
  tokenLifetimeSec?: number;
  /** Also add the test CA to the OS bundle (bind mount, this namespace only). Default true. */
  trustInSystemStore?: boolean;
}

/** Debian's OS trust bundle (what VS Code's http.systemCertificates reads on Linux). */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export async function startNetworkBox(options: NetworkBoxOptions = {}): Promise<NetworkBox> {
  assertNetworkIsolated();
  assertPrivateMountNamespace();
  const undo: Array<() => void> = [];
  const cleanup = () => {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        /* best effort */
      }
    }
    undo.length = 0;
  };
  try {
    for (const address of [IMDS_ADDRESS, AZURE_ADDRESS]) {
      if (hasAddress(address)) continue; // netns-run.sh NETNS_ADDRS did it
      ip('addr', 'add', `${address}/32`, 'dev', 'lo');
      undo.push(() => hasAddress(address) && ip('addr', 'del', `${address}/32`, 'dev', 'lo'));
    }
    const missing = [];
    for (const name of AZURE_HOST_NAMES) if (!(await resolvesToBox(name))) missing.push(name);
    if (missing.length > 0) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-hosts-'));
      const file = path.join(dir, 'hosts');
      fs.writeFileSync(
        file,
        `${fs.readFileSync('/etc/hosts', 'utf8').trimEnd()}\n\n# network.e2e (this mount namespace only)\n${AZURE_ADDRESS} ${AZURE_HOST_NAMES.join(' ')}\n`,
      );
      assertPrivateMountNamespace(); // once more, right before the mount
      execFileSync('mount', ['--bind', file, '/etc/hosts']);
      undo.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      undo.push(() => execFileSync('umount', ['/etc/hosts']));
    }
    for (const name of AZURE_HOST_NAMES) {
      if (!(await resolvesToBox(name))) throw new Error(`${name} does not resolve to ${AZURE_ADDRESS} in the box`);
    }
    const emu = await startEmulator({
      dataset: options.dataset ?? { assignments: 12, userAssignedIdentities: 2 },
      tokenLifetimeSec: options.tokenLifetimeSec,
      listen: [
        { host: IMDS_ADDRESS, port: 80 },
        { host: AZURE_ADDRESS, port: 443, tls: true },
        { host: '127.0.0.1', port: 0 },
      ],
    });
    undo.push(() => void emu.close());
    const caCertPath = emu.caCertPath;
    if (!caCertPath) throw new Error('the emulator has no CA');
    // As `update-ca-certificates` with the test CA would, in this mount namespace only: VS Code's extension
    // host (http.systemCertificates, on by default) trusts the OS bundle, and with that on, the connections it
    // makes do not honour NODE_EXTRA_CA_CERTS (the suite shows it).
    const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-ca-'));
    undo.push(() => fs.rmSync(caDir, { recursive: true, force: true }));
    const bundle = path.join(caDir, 'ca-certificates.crt');
    let bundleMounted = false;
    const trustCaInSystemStore = (on: boolean) => {
      if (on === bundleMounted) return;
      if (on) {
        if (!fs.existsSync(SYSTEM_CA_BUNDLE)) throw new Error(`${SYSTEM_CA_BUNDLE} is missing`);
        fs.writeFileSync(
          bundle,
          `${fs.readFileSync(SYSTEM_CA_BUNDLE, 'utf8').trimEnd()}\n${fs.readFileSync(caCertPath, 'utf8')}`,
        );
        assertPrivateMountNamespace();
        execFileSync('mount', ['--bind', bundle, SYSTEM_CA_BUNDLE]);
      } else {
        execFileSync('umount', [SYSTEM_CA_BUNDLE]);
      }
      bundleMounted = on;
    };
    undo.push(() => trustCaInSystemStore(false));
    trustCaInSystemStore(options.trustInSystemStore !== false);
    const loopbackUrl = emu.urls.find((u) => u.startsWith('http://127.0.0.1:'))!;
    return {
      emu,
      caCertPath,
      loopbackUrl,
      trustCaInSystemStore,
      setImdsReachable(reachable) {
        if (reachable && !hasAddress(IMDS_ADDRESS)) ip('addr', 'add', `${IMDS_ADDRESS}/32`, 'dev', 'lo');
        if (!reachable && hasAddress(IMDS_ADDRESS)) ip('addr', 'del', `${IMDS_ADDRESS}/32`, 'dev', 'lo');
      },
      productEnv(extra = {}) {
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env)) if (!OVERRIDE_ENV.test(k)) env[k] = v;
        return { ...env, ...extra };
      },
      async close() {
        if (!hasAddress(IMDS_ADDRESS)) ip('addr', 'add', `${IMDS_ADDRESS}/32`, 'dev', 'lo'); // so undo finds what it added
        await emu.close();
        cleanup();
      },
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
