/**
 * detectSource for every environment combination of the host variables (2^10, plus the Arc agent file on each
 * platform), checked against the documented order written out independently here (docs/HOSTS.md "Detection"),
 * and the conflicts that matter spelled out one by one.
 */
import * as assert from 'node:assert/strict';
import { type DetectedSource, type HostEnvironment, detectSource } from '../../src/identity/sources/detect';

const VARS = {
  AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
  AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  IDENTITY_ENDPOINT: 'http://127.0.0.1:42356/msi/token',
  IDENTITY_HEADER: 'header',
  IDENTITY_SERVER_THUMBPRINT: 'thumb',
  MSI_ENDPOINT: 'http://127.0.0.1:46808/MSI/auth/',
  MSI_SECRET: 'secret',
  IMDS_ENDPOINT: 'http://localhost:40342',
  AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9999',
} as const;
type Var = keyof typeof VARS;
const NAMES = Object.keys(VARS) as Var[];

/** The documented order, as a plain if-chain (not the table under test). */
function expected(has: (v: Var) => boolean, agentFile: boolean): DetectedSource['kind'] {
  if (has('AZURE_FEDERATED_TOKEN_FILE') && has('AZURE_TENANT_ID') && has('AZURE_CLIENT_ID')) return 'workloadIdentity';
  if (has('IDENTITY_ENDPOINT') && has('IDENTITY_HEADER') && has('IDENTITY_SERVER_THUMBPRINT')) return 'unsupported';
  if (has('IDENTITY_ENDPOINT') && has('IDENTITY_HEADER')) return 'appService';
  if (has('MSI_ENDPOINT') && has('MSI_SECRET')) return 'machineLearning';
  if (has('MSI_ENDPOINT')) return 'cloudShell';
  if (has('IDENTITY_ENDPOINT') && has('IMDS_ENDPOINT')) return 'azureArc';
  if (agentFile) return 'azureArc';
  return 'imds';
}

const host = (env: NodeJS.ProcessEnv, platform: NodeJS.Platform = 'linux', files: string[] = []): HostEnvironment => ({
  env,
  platform,
  fileExists: (f) => files.includes(f),
});

describe('detectSource: environment → identity host', () => {
  it(`every combination of ${NAMES.length} variables, with and without the Arc agent, on Linux and Windows`, () => {
    let checked = 0;
    const agents = {
      linux: '/opt/azcmagent/bin/himds',
      win32: 'D:\\Programs\\AzureConnectedMachineAgent\\himds.exe',
    } as const;
    for (let mask = 0; mask < 1 << NAMES.length; mask++) {
      const env: NodeJS.ProcessEnv = { ProgramFiles: 'D:\\Programs' };
      NAMES.forEach((n, i) => {
        if (mask & (1 << i)) env[n] = VARS[n];
      });
      const has = (v: Var) => env[v] !== undefined;
      for (const platform of ['linux', 'win32'] as const) {
        for (const agent of [false, true]) {
          const d = detectSource(host(env, platform, agent ? [agents[platform]] : []));
          assert.equal(d.kind, expected(has, agent), `${platform} agent=${agent} ${JSON.stringify(Object.keys(env))}`);
          if (d.kind === 'imds')
            assert.equal(
              d.host,
              has('AZURE_POD_IDENTITY_AUTHORITY_HOST') ? 'http://127.0.0.1:9999' : 'http://169.254.169.254',
            );
          checked++;
        }
      }
    }
    assert.equal(checked, 4096);
  });

  const conflicts: Array<[string, NodeJS.ProcessEnv, Partial<DetectedSource> & { kind: DetectedSource['kind'] }]> = [
    [
      'App Service with its legacy MSI_* pair → App Service, not Azure ML',
      { IDENTITY_ENDPOINT: 'http://a/t', IDENTITY_HEADER: 'h', MSI_ENDPOINT: 'http://a/m', MSI_SECRET: 's' },
      { kind: 'appService', endpoint: 'http://a/t', header: 'h' },
    ],
    [
      'IDENTITY_ENDPOINT + IDENTITY_HEADER + IMDS_ENDPOINT → App Service, not Arc',
      { IDENTITY_ENDPOINT: 'http://a/t', IDENTITY_HEADER: 'h', IMDS_ENDPOINT: 'http://a' },
      { kind: 'appService' },
    ],
    [
      'workload identity on an AKS node that has IMDS too → workload identity',
      {
        AZURE_FEDERATED_TOKEN_FILE: '/f',
        AZURE_TENANT_ID: 't',
        AZURE_CLIENT_ID: 'c',
        AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
      },
      {
        kind: 'workloadIdentity',
        tokenFile: '/f',
        tenantId: 't',
        clientId: 'c',
        authorityHost: 'https://login.microsoftonline.us/',
      },
    ],
    [
      'workload identity variables without AZURE_CLIENT_ID → not workload identity',
      { AZURE_FEDERATED_TOKEN_FILE: '/f', AZURE_TENANT_ID: 't' },
      { kind: 'imds' },
    ],
    [
      'Azure ML carries DEFAULT_IDENTITY_CLIENT_ID',
      { MSI_ENDPOINT: 'http://m/MSI/auth', MSI_SECRET: 's', DEFAULT_IDENTITY_CLIENT_ID: 'd' },
      { kind: 'machineLearning', secret: 's', defaultClientId: 'd' },
    ],
    [
      'Cloud Shell: MSI_ENDPOINT alone',
      { MSI_ENDPOINT: 'http://localhost:50342/oauth2/token' },
      { kind: 'cloudShell', endpoint: 'http://localhost:50342/oauth2/token' },
    ],
    [
      'Arc by its variables',
      {
        IDENTITY_ENDPOINT: 'http://localhost:40342/metadata/identity/oauth2/token',
        IMDS_ENDPOINT: 'http://localhost:40342',
      },
      { kind: 'azureArc', by: 'environment', metadataHost: 'http://localhost:40342' },
    ],
    ['blank values count as unset', { MSI_ENDPOINT: '  ', IDENTITY_ENDPOINT: '' }, { kind: 'imds' }],
  ];
  for (const [name, env, want] of conflicts) {
    it(name, () => {
      const d = detectSource(host(env));
      for (const [k, v] of Object.entries(want)) assert.equal((d as Record<string, unknown>)[k], v, k);
    });
  }

  it('finds the Arc agent on Windows under %ProgramFiles%, and not on macOS', () => {
    const win = detectSource(
      host({ ProgramFiles: 'C:\\Program Files' }, 'win32', [
        'C:\\Program Files\\AzureConnectedMachineAgent\\himds.exe',
      ]),
    );
    assert.deepEqual(win, {
      kind: 'azureArc',
      endpoint: 'http://127.0.0.1:40342/metadata/identity/oauth2/token',
      by: 'agentFile',
    });
    assert.equal(detectSource(host({}, 'darwin', ['/opt/azcmagent/bin/himds'])).kind, 'imds');
  });

  it('a throwing file probe is "no file"', () => {
    const d = detectSource({
      env: {},
      platform: 'linux',
      fileExists: () => {
        throw new Error('EACCES');
      },
    });
    assert.equal(d.kind, 'imds');
  });
});
