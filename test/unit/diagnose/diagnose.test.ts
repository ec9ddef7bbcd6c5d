import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  aadstsCode,
  doctorExitCode,
  explainAadsts,
  predictDefaultAzureCredential,
  renderMarkdown,
  renderText,
  runDiagnosis,
  type DiagnoseProbe,
  type FileReader,
} from '../../../src/diagnose';
import { checkClockSkew, checkArm } from '../../../src/diagnose/networkChecks';
import { readAzdLogin, readAzLogin, readAzPowerShellLogin } from '../../../src/diagnose/toolLogins';

const realFiles: FileReader = {
  readText: async (p) => {
    try {
      return await fs.promises.readFile(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};

function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-diag-'));
}

function write(file: string, body: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
}

const azUser = (name: string, extra: object = {}) => ({
  subscriptions: [
    { id: 's1', isDefault: false, environmentName: 'AzureCloud', user: { name: 'other@contoso.com', type: 'user' } },
    { id: 's2', isDefault: true, environmentName: 'AzureCloud', user: { name, type: 'user' }, ...extra },
  ],
});

const healthyProbe = (over: Partial<DiagnoseProbe> = {}): DiagnoseProbe => ({
  identityEndpoint: async () => ({ reachable: true, status: 200, server: 'IMDS/150.870.65.1854', elapsedMs: 3 }),
  legacyExtension: async () => ({ reachable: false, errorCode: 'ECONNREFUSED' }),
  identity: async () => ({
    selected: { kind: 'system' },
    token: {
      ok: true,
      claims: { iat: 1_700_000_000 },
      expiresOn: 1_700_003_600,
      expiresIn: 3600,
      receivedAt: 1_700_000_000_000,
    },
  }),
  arm: async () => ({ dns: 'ok', tls: 'ok', host: 'management.azure.com', probe: { reachable: true, status: 200 } }),
  roleScopes: async () => [{ scope: '/subscriptions/s1', readable: true }],
  graph: async () => ({ outcome: 'ok', displayName: 'vm1' }),
  ...over,
});

describe('tool logins from real state files', () => {
  it('az: default subscription user, BOM tolerated, AZURE_CONFIG_DIR honoured', async () => {
    const home = tempHome();
    write(path.join(home, 'cfg', 'azureProfile.json'), '\uFEFF' + JSON.stringify(azUser('alice@contoso.com')));
    const login = await readAzLogin({ AZURE_CONFIG_DIR: path.join(home, 'cfg') }, home, realFiles);
    assert.deepEqual(
      [login.state, login.kind, login.name, login.cloud],
      ['signedIn', 'user', 'alice@contoso.com', 'AzureCloud'],
    );
    assert.equal((await readAzLogin({}, home, realFiles)).state, 'signedOut');
  });

  it('az: managed identity login reads assignedIdentityInfo', async () => {
    const home = tempHome();
    write(path.join(home, '.azure', 'azureProfile.json'), {
      subscriptions: [
        {
          isDefault: true,
          user: { name: 'userAssignedIdentity', type: 'servicePrincipal', assignedIdentityInfo: 'MSIClient-1111' },
        },
      ],
    });
    const login = await readAzLogin({}, home, realFiles);
    assert.deepEqual([login.kind, login.name], ['managedIdentity', 'user-assigned identity (Client-1111)']);
  });

  it('az: garbage file → unreadable, not a crash', async () => {
    const home = tempHome();
    write(path.join(home, '.azure', 'azureProfile.json'), '{not json');
    assert.equal((await readAzLogin({}, home, realFiles)).state, 'unreadable');
  });

  it('azd: user, service principal, delegation to az', async () => {
    const home = tempHome();
    const file = path.join(home, '.azd', 'config.json');
    write(file, { auth: { account: { currentUser: { homeAccountId: 'oid.tid' } } } });
    assert.deepEqual(await readAzdLogin({}, home, realFiles).then((l) => [l.state, l.kind]), ['signedIn', 'user']);
    write(file, { auth: { account: { currentUser: { clientId: 'c1', tenantId: 't1' } } } });
    assert.equal((await readAzdLogin({}, home, realFiles)).kind, 'servicePrincipal');
    write(file, { auth: { useAzCliAuth: 'true' } });
    assert.equal((await readAzdLogin({}, home, realFiles)).state, 'delegatesToAz');
  });

  it('Az PowerShell: default context account, ManagedService = managed identity', async () => {
    const home = tempHome();
    write(path.join(home, '.Azure', 'AzureRmContext.json'), {
      DefaultContextKey: 'k',
      Contexts: {
        k: { Account: { Id: 'MSI@50342', Type: 'ManagedService' }, Environment: { Name: 'AzureUSGovernment' } },
      },
    });
    const login = await readAzPowerShellLogin(home, realFiles);
    assert.deepEqual([login.kind, login.cloud], ['managedIdentity', 'AzureUSGovernment']);
  });
});

describe('DefaultAzureCredential prediction', () => {
  const signedOut = { tool: 'az', state: 'signedOut', source: '' } as const;
  const alice = { tool: 'az', state: 'signedIn', kind: 'user', name: 'alice@contoso.com', source: '' } as const;
  const base = {
    managedIdentityAvailable: true,
    sdkImdsProxied: false,
    az: alice,
    azd: { ...signedOut, tool: 'azd' as const },
    pwsh: { ...signedOut, tool: 'Az PowerShell' as const },
  };
  const rows: Array<[string, Record<string, string>, Partial<typeof base>, string | undefined]> = [
    ['VM identity beats az login', {}, {}, 'ManagedIdentityCredential'],
    ['dev skips the VM identity', { AZURE_TOKEN_CREDENTIALS: ' DEV ' }, {}, 'AzureCliCredential'],
    [
      'prod without identity → none',
      { AZURE_TOKEN_CREDENTIALS: 'prod' },
      { managedIdentityAvailable: false },
      undefined,
    ],
    ['one credential by name', { AZURE_TOKEN_CREDENTIALS: 'azureclicredential' }, {}, 'AzureCliCredential'],
    ['invalid value → throws', { AZURE_TOKEN_CREDENTIALS: 'vm' }, {}, undefined],
    [
      'secret env → EnvironmentCredential',
      { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' },
      {},
      'EnvironmentCredential',
    ],
    [
      'client id without secret → not Environment',
      { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' },
      {},
      'ManagedIdentityCredential',
    ],
    [
      'federated token file → workload identity',
      { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_FEDERATED_TOKEN_FILE: '/f' },
      {},
      'WorkloadIdentityCredential',
    ],
    ['proxied IMDS probe → falls to az', {}, { sdkImdsProxied: true }, 'AzureCliCredential'],
    [
      'explicit ManagedIdentityCredential ignores the probe',
      { AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' },
      { sdkImdsProxied: true },
      'ManagedIdentityCredential',
    ],
  ];
  for (const [name, env, over, expected] of rows) {
    it(name, () => assert.equal(predictDefaultAzureCredential({ ...base, ...over, env }).credential, expected));
  }
});

describe('runDiagnosis', () => {
  it('healthy VM with a developer az login: ok, exit 0, warns the VM identity stands in for alice', async () => {
    const home = tempHome();
    write(path.join(home, '.azure', 'azureProfile.json'), azUser('alice@contoso.com'));
    const report = await runDiagnosis({
      env: {},
      files: realFiles,
      clock: { now: () => 0 },
      home,
      probe: healthyProbe(),
    });
    assert.equal(report.host, 'vm');
    assert.equal(doctorExitCode(report), 0);
    const tools = report.checks.find((c) => c.id === 'tools.identity')!;
    assert.equal(tools.status, 'warn');
    assert.match(tools.evidence, /not as az: user alice@contoso\.com/);
    assert.match(tools.fix!, /AZURE_TOKEN_CREDENTIALS=dev/);
  });

  it('identity off → identity.enabled fails with the System assigned fix, exit 3', async () => {
    const probe = healthyProbe({
      identity: async () => ({
        selected: { kind: 'system' },
        token: { ok: false, reason: 'identityNotFound', status: 400, errorCode: 'invalid_request' },
      }),
    });
    const report = await runDiagnosis({ env: {}, files: realFiles, clock: { now: () => 0 }, home: tempHome(), probe });
    const check = report.checks.find((c) => c.id === 'identity.enabled')!;
    assert.equal(check.status, 'fail');
    assert.match(check.fix!, /System assigned: On/);
    assert.equal(doctorExitCode(report), 3);
  });

  it('a throwing probe becomes skip; not Azure → exit 1', async () => {
    const probe = healthyProbe({
      identityEndpoint: async () => ({ reachable: true, status: 404, server: 'EC2ws' }),
      arm: async () => {
        throw new Error('boom');
      },
      identity: undefined,
    });
    const report = await runDiagnosis({ env: {}, files: realFiles, clock: { now: () => 0 }, home: tempHome(), probe });
    assert.equal(report.host, 'notAzure');
    assert.equal(report.checks.find((c) => c.id === 'arm.reachable')!.status, 'skip');
    assert.equal(doctorExitCode(report), 1);
  });

  it('renders Markdown (one table row per check, pipes escaped) and text', async () => {
    const report = await runDiagnosis({
      env: { HTTP_PROXY: 'http://p|x:1' },
      files: realFiles,
      clock: { now: () => 0 },
      home: tempHome(),
      probe: healthyProbe(),
    });
    const md = renderMarkdown(report);
    assert.equal(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| |')).length, report.checks.length);
    assert.ok(!/[^\\]\|x/.test(md));
    assert.match(renderText(report), /^\[WARN\] Proxy variables and the identity endpoint \(proxy\.environment\)$/m);
  });

  it('no token, secret or header value reaches any check output (fuzz)', async () => {
    const secretArb = fc.stringMatching(/^[A-Za-z0-9]{24,40}$/);
    await fc.assert(
      fc.asyncProperty(secretArb, secretArb, async (secret, sig) => {
        const jwt = `eyJhbGciOiJSUzI1NiJ9.eyJ${secret}.${sig}`;
        const home = tempHome();
        write(
          path.join(home, '.azure', 'azureProfile.json'),
          azUser('alice@contoso.com', { accessToken: jwt, refresh: secret }),
        );
        write(path.join(home, '.Azure', 'AzureRmContext.json'), {
          DefaultContextKey: 'k',
          Contexts: {
            k: {
              Account: {
                Id: 'sp',
                Type: 'ServicePrincipal',
                ExtendedProperties: { ServicePrincipalSecret: secret, AccessToken: jwt },
              },
            },
          },
        });
        write(path.join(home, '.azd', 'config.json'), {
          auth: { account: { currentUser: { homeAccountId: 'x' } }, token: jwt },
        });
        const env = {
          AZURE_CLIENT_SECRET: secret,
          AZURE_TENANT_ID: 't',
          AZURE_CLIENT_ID: 'c',
          AZURE_PASSWORD: secret,
          IDENTITY_HEADER: secret,
          HTTPS_PROXY: `http://bob:${secret}@proxy:8080`,
          ACCESS_TOKEN: jwt,
        };
        const probe = healthyProbe({
          identityEndpoint: async () => ({
            reachable: false,
            errorCode: `ECONNRESET Bearer ${jwt}`,
            viaProxy: `http://u:${secret}@p:1`,
          }),
          graph: async () => ({ outcome: 'ok', displayName: `name access_token=${secret}` }),
        });
        const report = await runDiagnosis({ env, files: realFiles, clock: { now: () => 0 }, home, probe });
        const out = JSON.stringify(report) + renderMarkdown(report) + renderText(report);
        assert.ok(!out.includes(secret), 'secret leaked');
        assert.ok(!out.includes(sig), 'signature leaked');
        fs.rmSync(home, { recursive: true, force: true });
      }),
      { numRuns: 25 },
    );
  });
});

describe('clock skew, TLS names, AADSTS', () => {
  const at = 1_700_000_000;
  const rows: Array<[string, object, string]> = [
    ['Date header 6 min behind local', { serverDate: at * 1000 - 6 * 60_000 }, 'warn'],
    ['expires_on − expires_in agrees', { expiresOn: at + 3600, expiresIn: 3600 }, 'pass'],
    ['cached token: old iat alone is not skew', { claims: { iat: at - 20 * 3600 } }, 'skip'],
    ['iat 10 min in the future', { claims: { iat: at + 600 } }, 'warn'],
  ];
  for (const [name, over, status] of rows) {
    it(name, () => {
      const check = checkClockSkew({ ok: true, claims: {}, receivedAt: at * 1000, ...over });
      assert.equal(check.status, status);
    });
  }

  it('names the certificate problem', () => {
    const check = checkArm({
      dns: 'ok',
      tls: 'failed',
      host: 'management.azure.com',
      probe: { reachable: false, errorCode: 'SELF_SIGNED_CERT_IN_CHAIN', viaProxy: 'http://p:1' },
    });
    assert.equal(check.status, 'fail');
    assert.match(check.evidence, /self-signed root .* TLS-inspecting proxy/);
    assert.match(check.fix!, /NODE_EXTRA_CA_CERTS/);
  });

  it('explains AADSTS codes from error_codes or the description', () => {
    assert.equal(aadstsCode({ error: 'invalid_resource', error_codes: [500011] }), 500011);
    assert.equal(aadstsCode({ error_description: 'AADSTS700016: Application with identifier' }), 700016);
    assert.equal(aadstsCode('nothing here'), undefined);
    assert.match(explainAadsts(500011)!.fix, /resource URI/);
    assert.equal(explainAadsts(1), undefined);
  });
});
