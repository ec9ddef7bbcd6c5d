/**
 * A throw-away test CA and server certificate made with the openssl CLI, once per process (per set of
 * host names), in a temp dir removed at exit. Clients trust it through `caCertPath`
 * (NODE_EXTRA_CA_CERTS or `new https.Agent({ ca })`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TlsMaterial {
  caCertPath: string;
  cert: string;
  key: string;
}

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';

/** Names a client may use for the emulator: loopback, the public ARM/Graph hosts of each cloud, a TEST-NET address. */
const DEFAULT_TLS_HOSTS: readonly string[] = [
  'localhost',
  '127.0.0.1',
  'management.azure.com',
  'graph.microsoft.com',
  'management.usgovcloudapi.net',
  'graph.microsoft.us',
  'management.chinacloudapi.cn',
  'microsoftgraph.chinacloudapi.cn',
  '192.0.2.10',
];

let workDir: string | undefined;
let ca: Promise<{ certPath: string; keyPath: string }> | undefined;
const serverCerts = new Map<string, Promise<TlsMaterial>>();

function dir(): string {
  if (!workDir) {
    const created = mkdtempSync(join(tmpdir(), 'vm-identity-emulator-tls-'));
    workDir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return workDir;
}

async function openssl(args: string[]): Promise<void> {
  await run(OPENSSL, args, { cwd: dir() });
}

// EC P-256 keys: quick to generate, accepted by Node's TLS.
const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function testCa(): Promise<{ certPath: string; keyPath: string }> {
  ca ??= (async () => {
    const certPath = join(dir(), 'ca.crt');
    const keyPath = join(dir(), 'ca.key');
    await openssl([
      'req',
      '-x509',
      ...NEW_EC_KEY,
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '7',
      '-subj',
      '/CN=VM Identity Emulator Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { certPath, keyPath };
  })();
  return ca;
}

function subjectAltNames(hosts: readonly string[]): string {
  return hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
}

async function issueServerCert(hosts: readonly string[], index: number): Promise<TlsMaterial> {
  const authority = await testCa();
  const base = join(dir(), `server-${index}`);
  writeFileSync(
    `${base}.ext`,
    [
      `subjectAltName=${subjectAltNames(hosts)}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  await openssl(['req', ...NEW_EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', '/CN=localhost']);
  await openssl([
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    authority.certPath,
    '-CAkey',
    authority.keyPath,
    '-CAcreateserial',
    '-out',
    `${base}.crt`,
    '-days',
    '7',
    '-sha256',
    '-extfile',
    `${base}.ext`,
  ]);
  return {
    caCertPath: authority.certPath,
    cert: readFileSync(`${base}.crt`, 'utf8'),
    key: readFileSync(`${base}.key`, 'utf8'),
  };
}

/** Server certificate for the default names plus `extraHosts`, signed by the per-process test CA. */
export function tlsMaterial(extraHosts: readonly string[] = []): Promise<TlsMaterial> {
  const hosts = [...new Set([...DEFAULT_TLS_HOSTS, ...extraHosts])];
  const key = hosts.join(',');
  let material = serverCerts.get(key);
  if (!material) {
    material = issueServerCert(hosts, serverCerts.size);
    serverCerts.set(key, material);
  }
  return material;
}
