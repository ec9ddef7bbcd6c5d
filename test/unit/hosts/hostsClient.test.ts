/**
 * The identity client and service against each emulated host over real HTTP on loopback (test/emulator/hosts,
 * docs/HOSTS.md): success, user-assigned selection where the host has it, each documented error, and the words
 * the user sees (the CLI's whoami text and the typed error's message and fix).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whoamiText } from '../../../src/cli/format';
import { startEmulator, type Emulator } from '../../emulator';
import { recordCase } from '../../support/cases';
import { ARM, clientFor, failureOf, serviceFor, valueOf } from './support';

describe('identity hosts, client side, over real HTTP', function () {
  let emu: Emulator;
  let dir: string;
  before(async () => {
    emu = await startEmulator({ listen: [{ host: '127.0.0.1', port: 0 }] });
    dir = mkdtempSync(join(tmpdir(), 'vmid-hosts-'));
  });
  after(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => emu.configure({ imdsTokenCache: false }));

  describe('AKS workload identity', () => {
    const tokenFile = () => join(dir, 'azure-identity-token');
    const start = async (options: Record<string, unknown> = {}) => {
      const host = await emu.startHost({ kind: 'workload-identity', options });
      writeFileSync(tokenFile(), String(host.action('serviceAccountToken', {})));
      const env: Record<string, string> = { ...host.env, AZURE_FEDERATED_TOKEN_FILE: tokenFile() };
      return { host, env };
    };

    it('exchanges the federated token at Entra and shows a workload identity', async () => {
      const { host, env } = await start();
      const s = await serviceFor(emu, env).snapshot(undefined, { displayName: true });
      assert.equal(s.identity.identityType, 'WorkloadIdentity');
      assert.equal(s.identity.source, 'workloadIdentity');
      assert.equal(s.identity.clientId, env.AZURE_CLIENT_ID);
      const [req] = host.requests;
      assert.equal(req.method, 'POST');
      assert.match(req.path, new RegExp(`^/${env.AZURE_TENANT_ID}/oauth2/v2.0/token$`));
      const text = whoamiText(s);
      assert.match(text, /Type\s+workload identity \(federated, Entra app\)/);
      assert.match(text, /Source\s+workloadIdentity/);
      assert.ok(s.identity.token.issuedAt! <= s.identity.token.expiresOn);
    });

    it('re-reads the file on every fetch (it rotates): an expired file then a fresh one', async () => {
      const { host, env } = await start();
      const client = clientFor(env);
      writeFileSync(tokenFile(), String(host.action('serviceAccountToken', { expiresInSec: -60 })));
      const e = await failureOf(client.getToken(ARM));
      assert.equal(e.kind, 'authenticationFailed');
      assert.match(e.message, /AADSTS700024/);
      assert.match(e.fix, /rotates the token file/);
      writeFileSync(tokenFile(), String(host.action('serviceAccountToken', {})));
      const t = await client.getToken(ARM, { forceRefresh: true });
      assert.equal(t.source, 'workloadIdentity');
      recordCase({
        area: 'hosts',
        name: 'workload identity: expired federated token, then rotated',
        expected: 'AADSTS700024 explained; next fetch re-reads the file',
        observed: `${e.message} → token`,
        pass: true,
      });
    });

    it('no federated credential for this service account → the az identity federated-credential fix', async () => {
      const { env } = await start({ federatedSubject: 'system:serviceaccount:other:sa' });
      const e = await failureOf(clientFor(env).getToken(ARM));
      assert.match(e.message, /AADSTS70021/);
      assert.match(e.fix, /system:serviceaccount:<namespace>:<service account>/);
    });

    it('unknown client ID, wrong tenant, unknown resource: each named, none read as "no managed identity"', async () => {
      const { env } = await start();
      const unknownClient = await failureOf(
        clientFor({ ...env, AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000000aa' }).getToken(ARM),
      );
      assert.equal(unknownClient.kind, 'identityNotFound');
      assert.match(unknownClient.fix, /azure\.workload\.identity\/client-id/);
      const wrongTenant = await failureOf(
        clientFor({ ...env, AZURE_TENANT_ID: '00000000-0000-0000-0000-0000000000bb' }).getToken(ARM),
      );
      assert.match(wrongTenant.message, /AADSTS90002/);
      const resource = await failureOf(clientFor(env).getToken('https://unknown.example/'));
      assert.match(resource.message, /AADSTS500011/);
    });

    it('a missing or empty token file is said before anything is sent; an object ID cannot be selected', async () => {
      const { host, env } = await start();
      host.requests.length = 0;
      const missing = await failureOf(
        clientFor({ ...env, AZURE_FEDERATED_TOKEN_FILE: join(dir, 'nope') }).getToken(ARM),
      );
      assert.match(missing.message, /federated token file .* cannot be used/);
      writeFileSync(join(dir, 'empty'), '\n');
      const empty = await failureOf(
        clientFor({ ...env, AZURE_FEDERATED_TOKEN_FILE: join(dir, 'empty') }).getToken(ARM),
      );
      assert.match(empty.message, /empty/);
      const byObject = await failureOf(
        clientFor(env).getToken(ARM, { identity: { kind: 'objectId', value: '00000000-0000-0000-0000-000000000001' } }),
      );
      assert.equal(byObject.kind, 'notSupported');
      assert.equal(host.requests.length, 0);
    });

    it('refuses an http authority host that is not loopback, before reading or sending', async () => {
      const e = await failureOf(
        clientFor({
          AZURE_FEDERATED_TOKEN_FILE: tokenFile(),
          AZURE_TENANT_ID: 't',
          AZURE_CLIENT_ID: 'c',
          AZURE_AUTHORITY_HOST: 'http://login.example/',
        }).getToken(ARM),
      );
      assert.equal(e.kind, 'unsafeEndpoint');
    });
  });

  describe('Azure Machine Learning compute', () => {
    it('system identity by DEFAULT_IDENTITY_CLIENT_ID; a user-assigned one by client ID; object ID refused', async () => {
      const host = await emu.startHost({ kind: 'machine-learning' });
      const client = clientFor(host.env);
      const t = await client.getToken(ARM);
      assert.equal(t.source, 'machineLearning');
      assert.equal(host.requests[0].query.clientid, host.env.DEFAULT_IDENTITY_CLIENT_ID);
      assert.equal(host.requests[0].headers.secret, host.env.MSI_SECRET);
      assert.equal(host.requests[0].query['api-version'], '2017-09-01');
      const uami = emu.dataset.userAssignedIdentities[0];
      const u = await client.getToken(ARM, { identity: { kind: 'clientId', value: uami.clientId } });
      assert.equal(u.claims.principalId, uami.principalId);
      const e = await failureOf(client.getToken(ARM, { identity: { kind: 'objectId', value: uami.principalId } }));
      assert.equal(e.kind, 'notSupported');
      assert.match(e.message, /client ID only/);
    });

    it('a wrong MSI_SECRET → restart to pick up the current one', async () => {
      const host = await emu.startHost({ kind: 'machine-learning' });
      const e = await failureOf(clientFor({ ...host.env, MSI_SECRET: 'stale' }).getToken(ARM));
      assert.equal(e.kind, 'authenticationFailed');
      assert.match(e.fix, /MSI_SECRET.*restart/);
    });
  });

  describe('Cloud Shell', () => {
    it('signs in as the user: said so, name from the token, no Graph service-principal lookup', async () => {
      const host = await emu.startHost({ kind: 'cloud-shell', options: { displayName: 'Ada Lovelace' } });
      emu.resetLog();
      const s = await serviceFor(emu, host.env).snapshot(undefined, { displayName: true });
      assert.equal(s.identity.identityType, 'User');
      assert.equal(s.identity.clientId, undefined, "the portal's app ID is not shown as the user's client ID");
      assert.equal(valueOf<string>(s.displayName), 'Ada Lovelace');
      assert.deepEqual(
        emu.requests.filter((r) => r.service === 'graph'),
        [],
        'no Graph lookup for a user',
      );
      assert.equal(host.requests[0].method, 'POST');
      const text = whoamiText(s);
      assert.match(text, /Type\s+Cloud Shell user — not a managed identity/);
      recordCase({
        area: 'hosts',
        name: 'Cloud Shell user',
        expected: 'shown as a user, not a managed identity; no Graph SP lookup',
        observed: text.split('\n').find((l) => l.startsWith('Type')) ?? '',
        pass: true,
      });
    });

    it('refuses a user-assigned selection with the reason, sending nothing', async () => {
      const host = await emu.startHost({ kind: 'cloud-shell' });
      const e = await failureOf(
        clientFor(host.env).getToken(ARM, {
          identity: { kind: 'clientId', value: emu.dataset.userAssignedIdentities[0].clientId },
        }),
      );
      assert.equal(e.kind, 'notSupported');
      assert.match(
        e.message,
        /Cloud Shell cannot select a user-assigned identity: it always returns the signed-in user's token/,
      );
      assert.equal(host.requests.length, 0);
    });

    it('an audience Cloud Shell does not serve → AudienceNotSupported explained, not "no managed identity"', async () => {
      const host = await emu.startHost({ kind: 'cloud-shell' });
      const e = await failureOf(clientFor(host.env).getToken('https://unknown.example/'));
      assert.equal(e.kind, 'notSupported');
      assert.equal(e.azureCode, 'AudienceNotSupported');
      assert.match(e.fix, /az login/);
    });
  });

  describe('App Service / Functions', () => {
    it("system and user-assigned (by client ID) identities; the app's resource", async () => {
      const host = await emu.startHost({ kind: 'app-service', options: { appName: 'contoso-api' } });
      const client = clientFor(host.env);
      const t = await client.getToken(ARM);
      assert.equal(t.source, 'appService');
      assert.match(t.claims.identityResourceId ?? '', /Microsoft\.Web\/sites\/contoso-api$/);
      const uami = emu.dataset.userAssignedIdentities[0];
      assert.equal(
        (await client.getToken(ARM, { identity: { kind: 'clientId', value: uami.clientId } })).claims.principalId,
        uami.principalId,
      );
      assert.equal(host.requests[1].query.client_id, uami.clientId);
    });

    it('its error bodies: wrong X-IDENTITY-HEADER → restart; an unknown identity → not found, naming the ID', async () => {
      const host = await emu.startHost({ kind: 'app-service' });
      const header = await failureOf(clientFor({ ...host.env, IDENTITY_HEADER: 'stale' }).getToken(ARM));
      assert.equal(header.kind, 'authenticationFailed');
      assert.match(header.message, /correlation ID [0-9a-f-]{36}/);
      const id = '00000000-0000-0000-0000-00000000dead';
      const unknown = await failureOf(clientFor(host.env).getToken(ARM, { identity: { kind: 'clientId', value: id } }));
      assert.equal(unknown.kind, 'identityNotFound');
      assert.match(unknown.message, new RegExp(id));
    });
  });

  describe('not Azure at all', () => {
    for (const flavor of ['aws', 'gcp'] as const) {
      it(`${flavor}: "not an Azure VM", one request, no retry, no proxy blamed`, async () => {
        const host = await emu.startHost({ kind: 'not-azure', name: `not-azure-${flavor}`, options: { flavor } });
        const env = { AZURE_POD_IDENTITY_AUTHORITY_HOST: host.url };
        const e = await failureOf(serviceFor(emu, env).snapshot(undefined, { roles: true }));
        assert.equal(e.kind, 'notAzure');
        assert.match(e.message, /answers the metadata address but is not an Azure VM \(AWS\/GCP\/other\)/);
        assert.doesNotMatch(`${e.message} ${e.fix}`, /proxy/i);
        assert.equal(host.requests.filter((r) => r.path === '/metadata/identity/oauth2/token').length, 1);
        recordCase({
          area: 'hosts',
          name: `not Azure (${flavor})`,
          expected: 'not an Azure VM, 1 request, no proxy',
          observed: `${e.message} (${host.requests.length} requests)`,
          pass: true,
        });
      });
    }

    it("with a proxy configured, the same HTML is still read as a proxy's page", async () => {
      const host = await emu.startHost({ kind: 'not-azure', name: 'not-azure-proxied', options: { flavor: 'aws' } });
      const e = await failureOf(
        clientFor({ AZURE_POD_IDENTITY_AUTHORITY_HOST: host.url, HTTPS_PROXY: 'http://127.0.0.1:9' }).getToken(ARM),
      );
      assert.equal(e.kind, 'proxyInterference');
    });
  });
});
